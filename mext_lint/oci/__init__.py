"""Reading real extension images (OCI layouts, archives, registries) without Docker.

The pipeline: a store gives verified blobs (layout.py, archive.py, registry.py); index.py picks
the platform variants; layers.py streams each variant's layers into a merged file tree and reads
the few files that matter; model.py turns that into the engine's Image and Extension models;
lint.py runs the checks over them.
"""
