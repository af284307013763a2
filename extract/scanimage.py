"""Scanned pages as pixels: decoding image files and scanned PDFs into greyscale pages
with their resolution, separating ink from paper, and straightening a crooked page.

Everything downstream measures in points (1/72 inch) like the PDF reader, so each page
carries its dpi; a file that does not state one is taken for an A4 page.
"""

from __future__ import annotations

import io
import warnings
import zlib
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageSequence

from extract.model import ExtractError

MAX_PAGES = 500
MAX_PIXELS = 60_000_000  # per page: 300 dpi A0 is ~140 M; anything past this is refused
WORK_DPI = 300  # pages scanned finer are scaled down to this: OCR gains nothing beyond it
A4_WIDTH_INCHES = 8.27


@dataclass
class ScanPage:
    number: int  # 1-based
    gray: np.ndarray  # uint8, 0 = black
    dpi: float

    @property
    def scale(self) -> float:
        """Points per pixel."""
        return 72.0 / self.dpi


def image_pages(data: bytes) -> list[ScanPage]:
    """The frames of a PNG, JPEG, BMP or (multi-page) TIFF file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged metadata (EXIF) is no reason to stop
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            pages = []
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > MAX_PAGES:
                    raise ExtractError(f"too many pages (more than {MAX_PAGES})")
                pages.append(_page(number, frame.convert("L"), frame.info.get("dpi")))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ExtractError("image too large to decode safely") from None
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, zlib.error) as exc:
            raise ExtractError(f"damaged image (cannot be decoded: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    return pages


def pdf_pages(pdf, dpi: int = 200) -> list[ScanPage]:
    """The pages of an open pypdfium2 document, rasterised at `dpi`."""
    if len(pdf) > MAX_PAGES:
        raise ExtractError(f"too many pages (more than {MAX_PAGES})")
    return [_page(i + 1, pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), (dpi, dpi))
            for i in range(len(pdf))]


def _page(number: int, image: Image.Image, dpi) -> ScanPage:
    if image.width * image.height > MAX_PIXELS:
        raise ExtractError(f"page {number} is too large ({image.width}×{image.height} pixels)")
    if image.width < 50 or image.height < 50:
        raise ExtractError(f"page {number} is too small to hold a form ({image.width}×{image.height} pixels)")
    stated = float(dpi[0]) if dpi and dpi[0] else 0.0
    if not 50 <= stated <= 1200:  # unstated or absurd: the page is taken for A4 portrait width
        stated = max(72.0, min(image.width, image.height) / A4_WIDTH_INCHES)
    if stated > WORK_DPI:
        factor = WORK_DPI / stated
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)
        stated = WORK_DPI
    return ScanPage(number, np.asarray(image, dtype=np.uint8).copy(), stated)


def ink(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu's threshold on a lightly smoothed page (sensor noise must
    not become specks)."""
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    _, mask = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def skew_angle(mask: np.ndarray, limit: float = 5.0) -> float:
    """The rotation (degrees, counter-clockwise positive as cv2 counts) that makes the
    page's text lines and rules horizontal: the angle at which the rows of ink are most
    sharply separated (largest variance of the row sums), searched coarse then fine on a
    reduced copy."""
    factor = min(1.0, 800 / mask.shape[1])
    small = cv2.resize(mask, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA).astype(np.float32)

    def sharpness(angle: float) -> float:
        return float(np.var(_rotate(small, angle, 0).sum(axis=1)))

    best = max(np.arange(-limit, limit + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    return float(max(np.arange(best - 0.1, best + 0.101, 0.025), key=sharpness))


def straighten(gray: np.ndarray, angle: float) -> np.ndarray:
    return gray if abs(angle) < 0.02 else _rotate(gray, angle, 255)


def _rotate(image: np.ndarray, angle: float, fill: int) -> np.ndarray:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)
