"""Scenarios: the file format (`spec`), its compilation to instrument arrays (`compile`), running
it (`run`), its draws (`draws`) and the bundled scenario files (`bundled/`)."""
