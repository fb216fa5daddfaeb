"""Pages of the approvals: apply, my requests, tasks, instances, the designers."""
