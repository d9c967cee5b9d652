#!/usr/bin/env python3
"""Draws a flame graph as a self-contained SVG from collapsed stacks ("frame;frame;frame count" per line), the
format async-profiler writes with its "collapsed" option.

    flamegraph.py STACKS.collapsed OUT.svg [--title TEXT] [--min-width PX]

Root at the bottom, callees above their callers, each frame as wide as its share of the samples; hovering a frame
shows its name, samples and share. Frames are coloured by kind: Java (green), JVM/native C and C++ (yellow), kernel
(orange). Frames narrower than --min-width pixels (default 0.3) are left out, as their text could not be read.
"""
import argparse
import html
import zlib

WIDTH = 1200
ROW = 16
PAD_TOP = 40
PAD_SIDE = 10
FONT = 11


class Node:
    __slots__ = ("name", "count", "children")

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.children = {}


def parse(path):
    root = Node("all")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            root.count += n
            node = root
            for frame in stack.split(";"):
                node = node.children.setdefault(frame, Node(frame))
                node.count += n
    return root


def depth(node, min_count):
    """Levels of frames at least min_count samples wide (the ones drawn)."""
    return 1 + max((depth(c, min_count) for c in node.children.values() if c.count >= min_count), default=0)


def colour(name):
    """A stable colour per frame, its hue by kind."""
    h = zlib.crc32(name.encode()) % 60
    if name.endswith("_[k]"):
        return f"rgb({220 + h % 35},{110 + h},{40})"
    if "::" in name or name.startswith(("[", "__", "_Z")) or "/" not in name and "." not in name:
        return f"rgb({200 + h % 55},{190 + h % 50},{60 + h % 40})"
    return f"rgb({50 + h},{170 + h % 60},{60 + h % 30})"


def draw(root, title, min_width):
    scale = (WIDTH - 2 * PAD_SIDE) / root.count
    levels = depth(root, min_width / scale)
    height = PAD_TOP + levels * ROW + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="Verdana, sans-serif" font-size="{FONT}">',
           '<rect width="100%" height="100%" fill="#f8f8f8"/>',
           f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">{html.escape(title)}</text>',
           f'<text x="{PAD_SIDE}" y="{height - 5}" fill="#555">{root.count:,} samples; width = share of them, '
           f'root at the bottom</text>']

    def emit(node, x, level):
        w = node.count * scale
        if w < min_width:
            return
        y = height - 20 - (level + 1) * ROW
        share = 100.0 * node.count / root.count
        label = html.escape(node.name)
        out.append(f'<g><title>{label} ({node.count:,} samples, {share:.2f}%)</title>'
                   f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{ROW - 1}" rx="2" fill="{colour(node.name)}"/>')
        chars = int((w - 6) / (FONT * 0.6))
        if chars >= 3:
            text = node.name if len(node.name) <= chars else node.name[:chars - 2] + ".."
            out.append(f'<text x="{x + 3:.2f}" y="{y + ROW - 4}">{html.escape(text)}</text>')
        out.append("</g>")
        cx = x
        for child in sorted(node.children.values(), key=lambda c: c.name):
            emit(child, cx, level + 1)
            cx += child.count * scale

    emit(root, PAD_SIDE, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("stacks")
    p.add_argument("svg")
    p.add_argument("--title", default="Flame graph")
    p.add_argument("--min-width", type=float, default=0.3)
    a = p.parse_args()
    root = parse(a.stacks)
    if not root.count:
        raise SystemExit(f"{a.stacks}: no samples")
    with open(a.svg, "w", encoding="utf-8") as f:
        f.write(draw(root, a.title, a.min_width))


if __name__ == "__main__":
    main()
