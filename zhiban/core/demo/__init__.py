"""The demo organisation: seeded by `manage.py seed_demo`, listed by `scripts/demo.py`."""
