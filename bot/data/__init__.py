"""Data files shipped inside the package (the fitted calibration)."""
