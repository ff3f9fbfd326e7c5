"""The HMI's widgets, one concept per module."""
