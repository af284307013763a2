"""Legacy Word (.doc) filings -> Document, through LibreOffice.

LibreOffice (``soffice --headless --convert-to docx``) turns the file into DOCX,
which `extract.docx` reads; the Document keeps the .doc's path, hash and format.
Starting LibreOffice costs about 1.5 s, so `prepare` converts a whole batch in one
call before the files are read; `read` uses that result, or converts the one file
when it was not prepared.

Conversions run in a private temporary directory (never next to the input), with
a LibreOffice profile of this process's own so parallel runs do not collide; it is
LibreOffice's home and temporary directory too, so nothing it writes is left elsewhere. A
conversion that stops making progress for `STALL_SECONDS` is killed: the file it
was stuck on fails with a clear reason, the rest of the batch is converted again.
Encrypted files are recognised before LibreOffice sees them.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

import olefile

from extract.docx import read_package
from extract.model import Document, ExtractError
from extract.source import RawFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STALL_SECONDS = 60.0  # no file finished for this long: LibreOffice is hung
BATCH_FILES = 200  # files per LibreOffice run: bounds its memory and the command line
NOT_INSTALLED = "LibreOffice is needed to read .doc files: apt-get install libreoffice-writer-nogui"
_FIB_ENCRYPTED = 0x0100  # FIB base flags: fEncrypted

_lock = threading.Lock()  # one LibreOffice at a time per profile
_workdir: Path | None = None
_prepared: dict[str, Path | str] = {}  # sha256 -> converted DOCX, or the reason it failed


def read(raw: RawFile) -> Document:
    result = _prepared.pop(raw.sha256, None)
    if result is None:
        prepare([raw])
        result = _prepared.pop(raw.sha256)
    if isinstance(result, str):
        raise ExtractError(result)
    try:
        converted = RawFile(raw.path, result.read_bytes(), raw.sha256, "doc")
    finally:
        result.unlink(missing_ok=True)
    return read_package(converted, "doc")


def prepare(raws: list[RawFile]) -> None:
    """Convert a batch of .doc files to DOCX in one LibreOffice run, so that `read`
    finds them done. Files that cannot be converted get their reason instead."""
    todo: dict[str, bytes] = {}
    for raw in raws:
        problem = ole_problem(raw.data)
        if problem:
            _prepared[raw.sha256] = problem
        elif raw.sha256 not in _prepared:
            todo[raw.sha256] = raw.data
    if not todo:
        return
    try:
        soffice()
    except ExtractError as exc:
        _prepared.update(dict.fromkeys(todo, str(exc)))
        return
    batch = Path(tempfile.mkdtemp(prefix="batch-", dir=_work()))
    sha_of: dict[Path, str] = {}
    for i, (sha, data) in enumerate(todo.items()):
        path = batch / f"{i:06d}.doc"
        path.write_bytes(data)
        sha_of[path] = sha
    for src, outcome in convert(list(sha_of), "docx:MS Word 2007 XML", batch / "out").items():
        _prepared[sha_of[src]] = outcome
        src.unlink(missing_ok=True)


def ole_problem(data: bytes) -> str | None:
    """Why an OLE container cannot be read as a Word file (encrypted, damaged, not
    Word), or None. Data that is no OLE container (RTF, HTML named .doc) is left to
    LibreOffice."""
    if not data.startswith(OLE_MAGIC):
        return None
    try:
        ole = olefile.OleFileIO(BytesIO(data))
    except (OSError, ValueError, IndexError) as exc:
        return f"damaged legacy Word file ({exc})"
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            return "encrypted document"
        if not ole.exists("WordDocument"):
            return "not a Word document (an Office container without a WordDocument stream)"
        fib = ole.openstream("WordDocument").read(12)
        if len(fib) >= 12 and int.from_bytes(fib[10:12], "little") & _FIB_ENCRYPTED:
            return "encrypted document"
    except (OSError, ValueError, IndexError) as exc:
        return f"damaged legacy Word file ({exc})"
    finally:
        ole.close()
    return None


def convert(sources: list[Path], target: str, outdir: Path) -> dict[Path, Path | str]:
    """Convert files with LibreOffice (`target` as in ``--convert-to``, e.g.
    ``docx:MS Word 2007 XML``) into `outdir`: each source's output file, or the
    reason it has none. One LibreOffice run per `BATCH_FILES` files; if it hangs,
    the file it is stuck on is given up and the rest run again."""
    outdir.mkdir(parents=True, exist_ok=True)
    suffix = "." + target.split(":")[0]
    results: dict[Path, Path | str] = {}
    pending = list(sources)
    while pending:
        batch, pending = pending[:BATCH_FILES], pending[BATCH_FILES:]
        finished = _run(batch, target, outdir, suffix)
        for src in batch:
            if (outdir / (src.stem + suffix)).exists():
                results[src] = outdir / (src.stem + suffix)
        left = [src for src in batch if src not in results]
        if not finished and left:  # it converts in order: the first file without output is the one it hung on
            results[left[0]] = f"LibreOffice did not finish converting this file within {STALL_SECONDS:.0f} s"
            pending = left[1:] + pending
        else:
            results.update(dict.fromkeys(left, "LibreOffice could not convert this file (damaged or not a Word document)"))
    return results


def soffice() -> str:
    """The LibreOffice executable."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ExtractError(NOT_INSTALLED)
    return found


def _run(sources: list[Path], target: str, outdir: Path, suffix: str) -> bool:
    """One LibreOffice run; False when it was killed for making no progress."""
    profile = _work() / "profile"
    # the shared extensions' cache too: LibreOffice probes it for writing, in its install dir by default
    cmd = [soffice(), f"-env:UserInstallation={profile.as_uri()}",
           f"-env:UNO_SHARED_PACKAGES_CACHE={(_work() / 'shared-extensions').as_uri()}",
           "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
           "--convert-to", target, "--outdir", str(outdir), *map(str, sources)]
    with _lock:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, cwd=outdir, env=_private_env())
        done, last_change = -1, time.monotonic()
        while proc.poll() is None:
            now_done = sum(1 for _ in outdir.glob("*" + suffix))
            if now_done != done:
                done, last_change = now_done, time.monotonic()
            elif time.monotonic() - last_change > STALL_SECONDS:
                _kill(proc)
                return False
            time.sleep(0.1)
        _kill(proc)  # a helper process it left behind
    return True


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _private_env() -> dict[str, str]:
    """LibreOffice's environment: home, caches (dconf, fontconfig) and temporary files in
    this process's private directory too, so nothing it writes outlives the directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    return env | {"HOME": str(_work()), "TMPDIR": str(_work())}


def _work() -> Path:
    """This process's private directory (the LibreOffice profile and the batches),
    removed at exit."""
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix=f"{owned_prefix('doc')}{os.getpid()}-"))
        atexit.register(remove_work, _workdir)
    return _workdir


def owned_prefix(kind: str) -> str:
    """``shenbao-KIND-HOST-``, followed by the owner's pid: temporary directories are named
    after the process they belong to, so a later run can remove those of processes that
    were killed (`dataset.runtemp`) and never a live one's."""
    return f"shenbao-{kind}-{socket.gethostname()}-"


def remove_work(root: Path) -> None:
    """Remove `root` with the private directories below it, after stopping any
    LibreOffice still running on a profile there, and the sockets those profiles left.
    LibreOffice runs in a session of its own, so the SIGKILL that ends its process (or
    the process's worker) does not reach it: it would run on, for ever if the file hangs
    it. LibreOffice keeps a socket named after its profile in /tmp (/var/tmp if /tmp is
    not writable), whatever $TMPDIR says, and removes it when it exits; one that was
    killed leaves it behind."""
    for pid in processes_using(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for profile in root.glob("**/profile"):
        for socket in sockets(profile):
            socket.unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)


def processes_using(root: Path) -> list[int]:
    """The LibreOffice processes (Linux: read from /proc) whose profile is under `root`."""
    marker = f"-env:UserInstallation={root.as_uri()}/".encode()
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if any(arg.startswith(marker) for arg in cmdline.read_bytes().split(b"\0")):
                found.append(int(cmdline.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            pass
    return found


def sockets(profile: Path) -> list[Path]:
    """Where LibreOffice may keep the socket of `profile`: named by the MD5 of the
    profile's URL in UTF-16, each byte in hex without a leading zero."""
    digest = "".join(f"{byte:x}" for byte in hashlib.md5(profile.as_uri().encode("utf-16-le")).digest())
    return [Path(directory, f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{digest}") for directory in ("/tmp", "/var/tmp")]
