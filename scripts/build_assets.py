"""Copy the front-end files the pages use from node_modules/ into src/xiaoqitong/static/vendor/.

Run after ``npm ci`` (``make assets`` does both). Only the distribution files the templates load are
copied, so the app serves everything itself: no CDN, no outside request at run time. The stamp file
``static/vendor/.built`` records the versions copied; ``make`` uses it to know the step is done.
"""

import json
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
VENDOR = REPO / "src" / "xiaoqitong" / "static" / "vendor"

# package -> list of (source inside the package, destination inside static/vendor/)
FILES: dict[str, list[tuple[str, str]]] = {
    "bootstrap": [
        ("dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
        ("dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
        ("LICENSE", "bootstrap/LICENSE"),
    ],
    "bootstrap-icons": [
        ("font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
        ("font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
        ("font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
        ("LICENSE", "bootstrap-icons/LICENSE"),
    ],
    "htmx.org": [
        ("dist/htmx.min.js", "htmx/htmx.min.js"),
        ("LICENSE", "htmx/LICENSE"),
    ],
    "echarts": [
        ("dist/echarts.min.js", "echarts/echarts.min.js"),
        ("LICENSE", "echarts/LICENSE"),
    ],
    # decodes the QR code of a photo on the events' scanning page (in the browser: nothing is uploaded)
    "jsqr": [
        ("dist/jsQR.js", "jsqr/jsQR.js"),
        ("LICENSE", "jsqr/LICENSE"),
    ],
}

# The source maps are not shipped; drop the comments that point at them so browsers do not ask.
_SOURCE_MAP = re.compile(rb"\n?/[*/]# sourceMappingURL=\S+?(?: \*/)?\s*$")


def wanted_versions() -> dict[str, str]:
    declared = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return {name: declared[name] for name in FILES}


def installed_version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        raise SystemExit(f"build_assets: {manifest} is missing; run `npm ci` first.")
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def build() -> dict[str, str]:
    versions = {}
    for package, wanted in wanted_versions().items():
        found = installed_version(package)
        if found != wanted:
            raise SystemExit(
                f"build_assets: node_modules has {package} {found}, package.json pins {wanted}; run `npm ci`."
            )
        versions[package] = found

    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for package, files in FILES.items():
        for source, destination in files:
            src = NODE_MODULES / package / source
            dst = VENDOR / destination
            dst.parent.mkdir(parents=True, exist_ok=True)
            data = src.read_bytes()
            if dst.suffix in {".js", ".css"}:
                data = _SOURCE_MAP.sub(b"\n", data)
            dst.write_bytes(data)
    # Written last: its presence means every file above is in place.
    (VENDOR / ".built").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return versions


def main() -> int:
    versions = build()
    names = ", ".join(f"{name} {version}" for name, version in sorted(versions.items()))
    print(f"build_assets: copied {names} into {VENDOR.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
