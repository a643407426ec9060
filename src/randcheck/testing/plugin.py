"""The pytest plugin (pytest11 entry point): collects ``*.randcheck.yaml`` cases."""
