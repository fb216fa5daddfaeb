"""Workflow: the approval engine every module routes its approvals through.

The pure core lives in :mod:`zhiban.workflow.engine` and imports no Django.
"""
