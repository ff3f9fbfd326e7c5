"""The Textual operator and maintenance HMI (to come: see the HMI issue)."""
