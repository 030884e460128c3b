"""Benchmarks of Mizan through its own services (issue 6): `manage.py bench`, see docs/benchmarks.md."""
