"""The operations centre's HMI: every crane of the fleet, from Sparkplug (``crane-ctrl ops``)."""
