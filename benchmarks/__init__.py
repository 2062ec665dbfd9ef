"""Speed goals of r1lib, printed as ratios measured side by side (``make bench``)."""
