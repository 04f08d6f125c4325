"""Train the ceiling-camera people net on rendered frames and ship it as OpenVINO IR.

No shipped model sees people from above, so this small centre-heatmap net is
trained on the twin's own labelled frames. torch is needed only here (the
``train`` extra); runs load the exported IR. Reproducible from ``--seed``::

    python -m devices.vision.training.topdown --frames 3000 --epochs 14 --seed 5

writes ``devices/vision/assets/topdown/topdown.xml|.bin`` and ``MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from devices.vision.training.data import TopDownSet, make_set

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "topdown"
NET = 192
STRIDE = 4


def build_net():
    """The net: a strided conv encoder, one skip at stride 4, a sigmoid heatmap head."""
    import torch
    from torch import nn

    def block(cin: int, cout: int, stride: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
        )

    class CentreNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.s4 = nn.Sequential(
                block(3, 16, 2), block(16, 16, 1), block(16, 32, 2), block(32, 32, 1)
            )
            self.s8 = nn.Sequential(block(32, 64, 2), block(64, 64, 1), block(64, 64, 1))
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.head = nn.Sequential(block(96, 48, 1), nn.Conv2d(48, 1, 1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            f4 = self.s4(x)
            f8 = self.s8(f4)
            return torch.sigmoid(self.head(torch.cat([f4, self.up(f8)], dim=1)))

    return CentreNet()


def targets(heads: list[np.ndarray], sigma: float = 1.2) -> np.ndarray:
    """Gaussian peaks at head centres on the stride-4 grid, (N, 1, H, W)."""
    g = NET // STRIDE
    yy, xx = np.mgrid[0:g, 0:g].astype(np.float32) + 0.5
    out = np.zeros((len(heads), 1, g, g), dtype=np.float32)
    for i, pts in enumerate(heads):
        for x, y in pts / STRIDE:
            out[i, 0] = np.maximum(
                out[i, 0], np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma**2))
            )
            out[i, 0, min(int(y), g - 1), min(int(x), g - 1)] = 1.0
    return out


def focal_loss(pred, target):
    """CenterNet's penalty-reduced focal loss."""
    import torch

    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = target.ge(0.99).float()
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * (1 - target) ** 4 * (1 - pos)
    return -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1.0)


def train(data: TopDownSet, epochs: int, seed: int, batch: int = 32):
    """Fit the net with Adam and a cosine schedule; returns the trained module."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    net = build_net()
    x = torch.from_numpy(data.images).permute(0, 3, 1, 2).float() / 255.0
    y = torch.from_numpy(targets(data.heads))
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    steps = epochs * int(np.ceil(len(x) / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for k in range(0, len(x), batch):
            idx = order[k : k + batch]
            xb, yb = x[idx], y[idx]
            if torch.rand(1, generator=gen).item() < 0.5:
                xb, yb = xb.flip(-1), yb.flip(-1)
            loss = focal_loss(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{epochs} loss {total / len(x):.4f}", flush=True)
    return net.eval()


def export(net, out: Path) -> Path:
    """Convert to OpenVINO IR with fp16 weights; returns the .xml path."""
    import openvino as ov
    import torch

    out.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        model = ov.convert_model(net, example_input=torch.zeros(1, 3, NET, NET))
    model.reshape([1, 3, NET, NET])
    model.inputs[0].get_node().set_friendly_name("image")
    xml = out / "topdown.xml"
    ov.save_model(model, str(xml), compress_to_fp16=True)
    return xml


def evaluate(xml: Path, n: int, seed: int) -> dict:
    """Recall, precision and speed of the exported IR on frames of another seed."""
    from devices.vision.metrics import match_points
    from devices.vision.models.detectors import HeatmapDetector

    data = make_set(n, seed, net_size=NET)
    det = HeatmapDetector(xml, (NET, NET))
    tp = fp = fn = 0
    for image, heads in zip(data.images, data.heads, strict=True):
        found = det(image)
        hit, miss, extra = match_points(found.points, heads, radius=NET * 0.04)
        tp, fn, fp = tp + hit, fn + miss, fp + extra
    ms = 1000 * float(np.median(det.timings.per_frame))
    return {
        "frames": n,
        "recall": round(tp / max(tp + fn, 1), 4),
        "precision": round(tp / max(tp + fp, 1), 4),
        "ms_per_frame_p50": round(ms, 2),
    }


CARD = Path(__file__).with_name("model_card.md")
"""The model card template, filled in from the run."""


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: make data, train, export, evaluate, write the card."""
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--eval-frames", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ASSETS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = make_set(args.frames, args.seed, net_size=NET)
    print(f"rendered {args.frames} frames in {time.perf_counter() - started:.0f} s", flush=True)
    t0 = time.perf_counter()
    net = train(data, args.epochs, args.seed)
    train_s = time.perf_counter() - t0
    xml = export(net, args.out)
    metrics = evaluate(xml, args.eval_frames, args.seed + 1000)
    size = xml.stat().st_size + xml.with_suffix(".bin").stat().st_size
    card = CARD.read_text(encoding="utf-8").format(
        size_kb=size / 1024,
        params=sum(p.numel() for p in net.parameters()),
        net=NET,
        grid=NET // STRIDE,
        stride=STRIDE,
        frames=args.frames,
        epochs=args.epochs,
        seed=args.seed,
        train_s=train_s,
        threads=torch.get_num_threads(),
        metrics=json.dumps(metrics),
    )
    (args.out / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
