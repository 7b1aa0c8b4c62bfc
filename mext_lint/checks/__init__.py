"""Every check module; importing this package registers them all."""

from mext_lint.checks import (  # noqa: F401
    build_config,
    compose_rules,
    host_binaries,
    image_files,
    image_rules,
    inputs,
    label_quality,
    labels,
    metadata_rules,
    platform_rules,
    suppression_rules,
)
