#!/usr/bin/env python3
"""png_probe.py - what a screenshot of an --html page shows, for
tests/cli/test_html.sh: whether it is blank, where the CPU lanes are and
where the failing step is marked.

    png_probe.py SHOT.png

prints one fact per line:

    blank no               (yes when almost every pixel is one colour)
    lanes N                (lane swatches found down the left edge)
    lane K TOP             (the y of lane K's swatch)
    marked LANE X Y        (the lane the red mark of the failing step is in,
                            and its centre), or "marked none"
    rightmost LANE X       (the right end of the event marks of a lane)

It reads PNG itself (8-bit RGB or RGBA, not interlaced) with zlib: no
imaging library needed.
"""
import struct
import sys
import zlib

LANE_SWATCH = (0x2F, 0x5D, 0x8A)
MARK = (0xE0, 0x00, 0x00)
LANE_BG = (0xEE, 0xF3, 0xF8)


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG (depth %d, type %d)" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError("no IHDR")
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        ftype = raw[at]
        line = bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def near(px, colour, tol=10):
    return all(abs(px[k] - colour[k]) <= tol for k in range(3))


def main(argv):
    width, height, bpp, rows = read_png(argv[1])

    def px(x, y):
        r = rows[y]
        return r[x * bpp], r[x * bpp + 1], r[x * bpp + 2]

    # blank: the commonest colour covers (almost) everything
    counts = {}
    for y in range(0, height, 3):
        for x in range(0, width, 3):
            p = px(x, y)
            counts[p] = counts.get(p, 0) + 1
    total = sum(counts.values())
    print("blank", "yes" if max(counts.values()) > 0.98 * total or len(counts) < 4 else "no")

    # lanes: runs of the swatch colour in the left margin
    col = None
    for x in range(0, min(width, 60)):
        if any(near(px(x, y), LANE_SWATCH) for y in range(height)):
            col = x + 3
            break
    tops = []
    if col is not None:
        inside = False
        for y in range(height):
            hit = near(px(col, y), LANE_SWATCH)
            if hit and not inside:
                tops.append(y)
            inside = hit
    print("lanes", len(tops))
    for k, top in enumerate(tops):
        print("lane", k, top)

    # the lane a y is in: the last swatch above it (swatches sit 6 px
    # below their lane's top)
    def lane_of(y):
        lane = -1
        for k, top in enumerate(tops):
            if y >= top - 6:
                lane = k
        return lane

    first = tops[0] - 6 if tops else height
    xs, ys = [], []
    for y in range(max(first, 0), height):
        for x in range(60, width):
            if near(px(x, y), MARK):
                xs.append(x)
                ys.append(y)
    if xs:
        cx, cy = sum(xs) // len(xs), sum(ys) // len(ys)
        print("marked", lane_of(cy), cx, cy)
    else:
        print("marked none")

    # the right end of each lane's marks: the last pixel that is neither
    # the lane background nor white, on the lane's event row
    for k, top in enumerate(tops):
        y = top - 6 + 36
        right = -1
        for x in range(60, width):
            p = px(x, y)
            if not near(p, LANE_BG, 4) and not near(p, (255, 255, 255), 4) and not near(p, MARK):
                right = x
        print("rightmost", k, right)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
