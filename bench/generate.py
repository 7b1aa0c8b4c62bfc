"""Generate realistic Docker Desktop extensions for the benchmark, deterministically from a seed.

Each extension is a directory with a multi-stage Dockerfile (a Node UI build, a Go backend, a
downloader stage whose heredoc or continued RUNs fetch host binaries with curl/wget/tar/unzip and
choose them with TARGETARCH), its metadata.json (icon, UI, a backend by image or compose file, host
binaries for darwin, windows and linux), the UI and backend sources the Dockerfile copies, an icon,
sometimes a compose file, a .dockerignore and a Makefile. About one extension in ten carries one of
the mistakes real extensions make (the Windows binary only for amd64, a hard-coded CPU in a URL),
so the run reports a realistic number of findings.

    python bench/generate.py OUT_DIR [--count 1000] [--seed 1]

Extension ``i`` depends only on the seed and ``i``, so ``--start`` lets several directories hold
consecutive slices of one population.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

GH = "https://github.com/"
TOOLS = (
    # name, release URL template ({v} version, {os}, {arch}), archive kind
    ("kubectl", "https://dl.k8s.io/release/{v}/bin/{os}/{arch}/kubectl", "raw"),
    ("helm", "https://get.helm.sh/helm-{v}-{os}-{arch}.tar.gz", "tar"),
    ("k9s", GH + "derailed/k9s/releases/download/{v}/k9s_{os}_{arch}.tar.gz", "tar"),
    ("trivy", GH + "aquasecurity/trivy/releases/download/{v}/trivy_{os}-{arch}.zip", "zip"),
    ("kind", "https://kind.sigs.k8s.io/dl/{v}/kind-{os}-{arch}", "raw"),
    ("jq", GH + "jqlang/jq/releases/download/jq-{v}/jq-{os}-{arch}", "raw"),
    ("dive", GH + "wagoodman/dive/releases/download/{v}/dive_{os}_{arch}.tar.gz", "tar"),
    ("grype", GH + "anchore/grype/releases/download/{v}/grype_{os}_{arch}.zip", "zip"),
)  # fmt: skip
CATEGORIES = (
    "ci-cd", "container-orchestration", "cloud-deployment", "cloud-development", "database",
    "kubernetes", "networking", "image-registry", "security", "testing-tools", "utility-tools",
    "volumes",
)  # fmt: skip
WORDS = (
    "atlas", "beacon", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
    "juniper", "krypton", "lumen", "meridian", "nimbus", "onyx", "prism", "quartz", "raven",
    "sierra", "tundra",
)  # fmt: skip
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M12 2 2 7l10 5 10-5-10-5z"/></svg>\n'
)


def _labels(rng: random.Random, title: str, slug: str) -> str:
    categories = ",".join(rng.sample(CATEGORIES, rng.randint(1, 3)))
    screenshots = json.dumps(
        [{"alt": f"{title} {n}", "url": f"https://{slug}.example.com/shot{n}.png"} for n in (1, 2)]
    ).replace('"', '\\"')
    return (
        f'LABEL org.opencontainers.image.title="{title}" \\\n'
        f'    org.opencontainers.image.description="{title} brings {slug} to Docker Desktop." \\\n'
        f'    org.opencontainers.image.vendor="{title} Labs" \\\n'
        f'    com.docker.desktop.extension.api.version=">= 0.3.{rng.randint(0, 4)}" \\\n'
        f'    com.docker.desktop.extension.icon="https://{slug}.example.com/icon.svg" \\\n'
        f'    com.docker.extension.screenshots="{screenshots}" \\\n'
        f'    com.docker.extension.detailed-description="<p>{title}: {slug} in a tab.</p>" \\\n'
        f'    com.docker.extension.publisher-url="https://{slug}.example.com" \\\n'
        f'    com.docker.extension.additional-urls="[{{\\"title\\": \\"Docs\\", \\"url\\": '
        f'\\"https://{slug}.example.com/docs\\"}}]" \\\n'
        f'    com.docker.extension.changelog="<ul><li>Release {rng.randint(1, 9)}</li></ul>" \\\n'
        f'    com.docker.extension.categories="{categories}"\n'
    )


def _download_heredoc(tools: list[tuple[str, str, str]], flawed: str) -> str:
    """One heredoc RUN fetching every tool for the three OSes, chosen with TARGETARCH."""
    lines = [
        "RUN <<EOT ash",
        "    set -eux",
        "    mkdir -p /out/darwin /out/linux /out/windows",
        '    case "$TARGETARCH" in',
        "        amd64) ALT=x86_64 ;;",
        "        arm64) ALT=aarch64 ;;",
        '        *) echo "unsupported: $TARGETARCH" >&2; exit 1 ;;',
        "    esac",
    ]
    for name, template, kind in tools:
        version = f"${{{name.upper()}_VERSION}}"
        for os_name in ("darwin", "linux", "windows"):
            hard_coded = flawed == "hardcoded-arch" and os_name == "darwin"
            arch = "amd64" if hard_coded else "${TARGETARCH}"
            url = template.format(v=version, os=os_name, arch=arch)
            exe = ".exe" if os_name == "windows" else ""
            dest = f"/out/{os_name}/{name}{exe}"
            indent = "    "
            if os_name == "windows" and flawed == "windows-amd64-only":
                lines.append('    if [ "$TARGETARCH" = amd64 ]; then')
                indent = "        "
            if kind == "raw":
                lines.append(f'{indent}curl -fsSLo {dest} "{url}{exe}"')
            elif kind == "tar":
                lines.append(f'{indent}wget -q -O /tmp/{name}.tgz "{url}"')
                lines.append(
                    f"{indent}tar -xzf /tmp/{name}.tgz -C /out/{os_name} --strip-components=1"
                    f' "{os_name}-${{TARGETARCH}}/{name}{exe}"'
                )
            else:
                lines.append(f'{indent}curl -fsSL -o /tmp/{name}.zip "{url}"')
                lines.append(f"{indent}unzip -o -j /tmp/{name}.zip {name}{exe} -d /out/{os_name}")
            if os_name != "windows":
                lines.append(f"{indent}chmod +x {dest}")
            if indent != "    ":
                lines.append("    fi")
    lines.append("EOT")
    return "\n".join(lines) + "\n"


def _download_continued(tools: list[tuple[str, str, str]], flawed: str) -> str:
    """The same downloads as shell-form RUNs with continuation lines, one per tool."""
    runs = []
    for name, template, kind in tools:
        version = f"${{{name.upper()}_VERSION}}"
        steps = ["mkdir -p /out/darwin /out/linux /out/windows"]
        for os_name in ("darwin", "linux", "windows"):
            arch = "amd64" if os_name == "windows" else "${TARGETARCH}"
            if flawed == "hardcoded-arch" and os_name == "darwin":
                arch = "amd64"
            url = template.format(v=version, os=os_name, arch=arch)
            exe = ".exe" if os_name == "windows" else ""
            if kind == "tar":
                steps.append(f'curl -fsSL "{url}" | tar -xz -C /out/{os_name} --strip-components=1')
            elif kind == "zip":
                steps.append(f'wget -q "{url}" -O /tmp/{name}-{os_name}.zip')
                steps.append(f"unzip -o /tmp/{name}-{os_name}.zip -d /out/{os_name}")
            else:
                steps.append(f'curl -fsSL -o /out/{os_name}/{name}{exe} "{url}{exe}"')
        runs.append("RUN " + " \\\n    && ".join(steps) + "\n")
    return "".join(runs)


def extension(rng: random.Random, index: int) -> dict[str, str]:
    """The files of one extension, by relative path."""
    word = WORDS[index % len(WORDS)]
    slug = f"{word}-{index:05d}"
    title = f"{word.capitalize()} {index}"
    tools = rng.sample(TOOLS, rng.randint(1, 3))
    node_ui = rng.random() < 0.7
    go_backend = rng.random() < 0.6
    compose = not go_backend and rng.random() < 0.5
    heredoc = rng.random() < 0.6
    flawed = rng.choice(("windows-amd64-only", "hardcoded-arch")) if rng.random() < 0.1 else ""
    files: dict[str, str] = {}

    df = ["# syntax=docker/dockerfile:1\n"]
    if node_ui:
        df.append(
            "FROM --platform=$BUILDPLATFORM node:20-alpine AS ui-builder\n"
            "WORKDIR /ui\n"
            "COPY ui/package.json ui/package-lock.json ./\n"
            "RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci\n"
            "COPY ui/ ./\n"
            "RUN npm run build\n\n"
        )
        files["ui/package.json"] = json.dumps(
            {"name": slug, "version": "1.0.0", "scripts": {"build": "vite build"}}, indent=2
        )
        files["ui/package-lock.json"] = json.dumps({"name": slug, "lockfileVersion": 3})
        files["ui/src/App.tsx"] = f"export const App = () => <h1>{title}</h1>;\n"
    if go_backend:
        df.append(
            "FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS backend\n"
            "ARG TARGETOS TARGETARCH\n"
            "WORKDIR /src\n"
            "COPY backend/go.mod backend/go.sum ./\n"
            "RUN --mount=type=cache,target=/go/pkg/mod go mod download\n"
            "COPY backend/ ./\n"
            "RUN --mount=type=cache,target=/root/.cache/go-build \\\n"
            "    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath"
            ' -ldflags="-s -w" -o /out/backend ./cmd/backend\n\n'
        )
        files["backend/go.mod"] = f"module example.com/{slug}\n\ngo 1.22\n"
        files["backend/go.sum"] = ""
        files["backend/cmd/backend/main.go"] = "package main\n\nfunc main() {}\n"
    df.append(
        "FROM alpine:3.20 AS downloads\n"
        "ARG TARGETARCH\n"
        + "".join(
            f"ARG {name.upper()}_VERSION=v{rng.randint(1, 3)}.{rng.randint(0, 30)}.0\n"
            for name, _, _ in tools
        )
        + "RUN apk add --no-cache curl wget tar unzip\n"
        "WORKDIR /tmp\n"
    )
    df.append(_download_heredoc(tools, flawed) if heredoc else _download_continued(tools, flawed))
    df.append("\nFROM alpine:3.20\n")
    df.append(_labels(rng, title, slug))
    df.append("\nCOPY metadata.json .\nCOPY docker.svg .\n")
    df.append("COPY --from=ui-builder /ui/build ui\n" if node_ui else "COPY ui ui\n")
    if go_backend:
        df.append("COPY --from=backend /out/backend /backend\n")
    if compose:
        df.append("COPY docker-compose.yaml .\n")
    df.append("COPY --from=downloads /out/ /\n")
    if go_backend:
        df.append('CMD ["/backend", "-socket", "/run/guest-services/backend.sock"]\n')
    files["Dockerfile"] = "".join(df)

    binaries = [
        {
            "darwin": [{"path": f"/darwin/{name}"}],
            "windows": [{"path": f"/windows/{name}.exe"}],
            "linux": [{"path": f"/linux/{name}"}],
        }
        for name, _, _ in tools
    ]
    metadata: dict[str, object] = {
        "icon": "docker.svg",
        "ui": {"dashboard-tab": {"title": title, "src": "index.html", "root": "ui"}},
        "host": {"binaries": binaries},
    }
    if go_backend:
        metadata["vm"] = {
            "image": "${DESKTOP_PLUGIN_IMAGE}",
            "exposes": {"socket": "backend.sock"},
        }
    elif compose:
        metadata["vm"] = {"composefile": "docker-compose.yaml"}
        files["docker-compose.yaml"] = (
            "services:\n"
            f"  {word}:\n"
            "    image: ${DESKTOP_PLUGIN_IMAGE}\n"
            '    command: ["/service", "--socket", "/run/guest-services/svc.sock"]\n'
            "    volumes:\n"
            "      - /var/run/docker.sock.raw:/var/run/docker.sock\n"
        )
    files["metadata.json"] = json.dumps(metadata, indent=2) + "\n"
    files["docker.svg"] = ICON
    files["ui/index.html"] = f"<!doctype html><title>{title}</title><div id=root></div>\n"
    if rng.random() < 0.5:
        files[".dockerignore"] = "node_modules\n**/*.log\n.git\nui/node_modules\n!ui/src\n"
    if rng.random() < 0.4:
        files["Makefile"] = (
            f"IMAGE?=example/{slug}\nTAG?=latest\n"
            "BUILDER=buildx-multi-arch\n\n"
            "build-extension:\n"
            "\tdocker build --tag=$(IMAGE):$(TAG) .\n\n"
            "push-extension:\n"
            "\tdocker buildx build --push --builder=$(BUILDER)"
            " --platform=linux/amd64,linux/arm64 --tag=$(IMAGE):$(TAG) .\n"
        )
    return files


def write_extensions(out_dir: Path, count: int, seed: int = 1, start: int = 0) -> list[Path]:
    """Write extensions ``start`` .. ``start + count - 1`` below ``out_dir``; their roots."""
    roots = []
    for index in range(start, start + count):
        root = out_dir / f"ext-{index:05d}"
        for rel, text in extension(random.Random(f"{seed}:{index}"), index).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        roots.append(root)
    return roots


def large_dockerfile(lines: int = 20_000) -> str:
    """A Dockerfile of at least ``lines`` lines: continuations, labels, heredocs, copies (the
    blocks of the parser's 20,000-line test, which checks how it is read)."""
    block = [
        "RUN apt-get update && \\\n    apt-get install -y curl \\\n    # note\n    && true",
        'LABEL com.docker.extension.screenshots="[{\\"alt\\": \\"x\\"}]" b=c',
        "RUN <<EOF\necho $TARGETARCH\nEOF",
        "COPY --from=build --chmod=755 /out/a /usr/bin/a",
    ]
    repeat = lines // 9 + 1  # nine lines per block
    return "FROM alpine\n" + "\n".join(block * repeat) + "\n"


def large_metadata(size: int = 5 * 1024 * 1024) -> str:
    """A valid metadata.json of about ``size`` bytes: a host.binaries list of one entry per
    tool, each with a binary for the three OSes (44,000 entries, 133,000 binaries for 5 MB)."""
    items = []
    total = 0
    index = 0
    while total < size:
        item = {
            os_name: [{"path": f"/{os_name}/tool{index:06d}{'.exe' * (os_name == 'windows')}"}]
            for os_name in ("darwin", "windows", "linux")
        }
        text = json.dumps(item)
        items.append(text)
        total += len(text) + 6
        index += 1
    body = ",\n      ".join(items)
    return (
        '{\n  "icon": "docker.svg",\n'
        '  "ui": {"dashboard-tab": {"title": "Big", "src": "index.html", "root": "ui"}},\n'
        f'  "host": {{\n    "binaries": [\n      {body}\n    ]\n  }}\n}}\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    roots = write_extensions(args.out_dir, args.count, args.seed, args.start)
    print(f"{len(roots)} extensions in {args.out_dir}")


if __name__ == "__main__":
    main()
