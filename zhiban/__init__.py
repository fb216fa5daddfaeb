"""Zhiban 智办: the smart office platform."""
