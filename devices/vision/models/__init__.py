"""OpenVINO model wrappers: the base pipeline, people detectors and the tag reader."""
