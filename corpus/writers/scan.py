"""Document -> scanned pages: the form printed (the PDF writer's layout, checkboxes drawn as
squares with a tick when checked), rasterised at `dpi` and worn the way paper scans are:
sensor noise, a soft focus, JPEG artefacts and a slightly crooked page, optionally fed
sideways or upside down (`Wear`; `python -m corpus.generate --scan-wear` sets it).

The page is laid out by corpus/writers/pdf.py and rasterised by pdfium rather than drawn
again with PIL, so a scan and its typed PDF twin can only differ by what scanning does to
them. pdfium fills in the non-embedded CJK font from the system: the Chinese font
fonts-wqy-zenhei must be installed (a missing one is named, not rendered as blanks).

The output follows the file name: ``.png`` (one page), ``.pdf`` (a PDF of page images,
no text layer), anything else a multi-page TIFF. The same Document and seed give the
same pixels.
"""

from __future__ import annotations

import hashlib
import io
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

from corpus.writers import pdf as pdf_writer
from extract.model import Document

FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"))


@dataclass(frozen=True)
class Wear:
    """What scanning does to a page. The defaults are a mild office scan."""

    dpi: int = 150
    noise: float = 6.0  # standard deviation of the grey-level noise (0-255 scale)
    blur: float = 0.4  # Gaussian blur radius, pixels
    jpeg_quality: int | None = 80  # None: no JPEG round trip
    max_rotation: float = 1.0  # degrees, either way; at most 2 is realistic for a feeder
    turn: int = 0  # degrees counter-clockwise, a multiple of 90: a page fed sideways or upside down

    @classmethod
    def parse(cls, spec: str) -> "Wear":
        """From ``dpi=300,noise=8,blur=0.6,jpeg_quality=70,max_rotation=2,turn=90`` (any
        subset; ``jpeg_quality=0`` for none)."""
        fields = {f: type(getattr(cls(), f)) for f in cls.__dataclass_fields__}
        values = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, _, value = item.partition("=")
            if name not in fields:
                raise ValueError(f"unknown scan wear {name!r} (known: {', '.join(fields)})")
            values[name] = (int(value) or None) if name == "jpeg_quality" else fields[name](value)
        if values.get("turn", 0) % 90:
            raise ValueError("turn must be a multiple of 90 degrees")
        return cls(**values)


CLEAN = Wear(noise=0.0, blur=0.0, jpeg_quality=None, max_rotation=0.0)


def write(doc: Document, path: Path, wear: Wear = Wear(), seed: int | None = None) -> None:
    pages = render(doc, wear, seed)
    suffix = path.suffix.lower()
    if suffix == ".png":
        if len(pages) != 1:
            raise ValueError(f"a PNG holds one page and this document has {len(pages)}: write .tif or .pdf")
        pages[0].save(path, dpi=(wear.dpi, wear.dpi))
    elif suffix == ".pdf":
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=float(wear.dpi))
    else:
        pages[0].save(path, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                      dpi=(wear.dpi, wear.dpi))


def render(doc: Document, wear: Wear = Wear(), seed: int | None = None) -> list[Image.Image]:
    """The document's pages as greyscale scans."""
    if not any(f.is_file() for f in FONT_FILES):
        raise RuntimeError("the scan writer needs a Chinese font: install fonts-wqy-zenhei")
    if seed is None:
        seed = int(hashlib.sha256(f"{doc.path}:{doc.sha256}".encode()).hexdigest()[:12], 16)
    with tempfile.TemporaryDirectory() as tmp:
        printed = Path(tmp) / "printed.pdf"
        pdf_writer.write(doc, printed, drawn_boxes=True)
        pdf = pypdfium2.PdfDocument(str(printed))
        try:
            clean = [pdf[i].render(scale=wear.dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
        finally:
            pdf.close()
    return [wear_page(page, wear, random.Random(seed * 1009 + n)) for n, page in enumerate(clean)]


def wear_page(page: Image.Image, wear: Wear, rng: random.Random) -> Image.Image:
    if wear.turn % 360:
        page = page.rotate(wear.turn, expand=True)
    if wear.max_rotation:
        angle = rng.uniform(-wear.max_rotation, wear.max_rotation)
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if wear.blur:
        page = page.filter(ImageFilter.GaussianBlur(wear.blur))
    if wear.noise:
        pixels = np.asarray(page, dtype=np.float32)
        pixels += np.random.default_rng(rng.getrandbits(64)).normal(0.0, wear.noise, pixels.shape)
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    if wear.jpeg_quality:
        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=wear.jpeg_quality)
        page = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return page
