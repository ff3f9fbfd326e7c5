"""The HMI's screens: overview -> unit -> detail -> diagnostics (ISA-101)."""
