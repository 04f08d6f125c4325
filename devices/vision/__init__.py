"""Vision: simulated cameras that render the twin, real OpenVINO models that read the frames.

- ``render``, ``figures``, ``shelf``, ``scenes``: frames of the twin at time t, with truth;
- ``models`` and ``registry``: every model as preprocess -> infer -> postprocess;
- ``cameras``, ``audit``, ``install``: cameras as devices in three fidelities;
- ``errors``: the measured fidelity's error rates, from the benchmark;
- ``bench``, ``report``: ``storetwin bench models``.
"""

from devices.vision.install import install_cameras

__all__ = ["install_cameras"]
