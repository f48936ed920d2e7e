"""Crime Recording Trainer: practise recording and classifying crime under the Home Office rules."""

__version__ = "0.1.0"
