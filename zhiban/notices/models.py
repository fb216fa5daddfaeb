"""Notices (通知公告)."""
