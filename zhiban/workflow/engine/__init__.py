"""The pure approval engine core: definitions, state, actions and transitions.

Nothing in this package imports Django: the Django side loads and stores
definitions, instances, tasks and the action log, and implements
:class:`OrgFacts` over the organisation model.

- :class:`Definition` is the node tree between the implicit start and end;
  :func:`validate` lists its :class:`Problem` s, :func:`definition_to_dict` /
  :func:`definition_from_dict` store it as JSON.
- :func:`apply` takes a definition, a :class:`State`, one action and the facts and
  returns an :class:`Outcome`: the new state, the tasks opened and closed, the
  notifications and the explained events; a refused action raises an
  :class:`EngineError` subclass. :func:`replay` folds ``apply`` over a log
  (store it with :func:`action_to_dict`; a state with :func:`state_to_dict`);
  :func:`dry_run` shows the path.
- Task ids (``t1``, ``t2`` ...) and node run numbers come from one counter in the
  state, so replaying the same log gives the same ids.
- Returns: to the initiator (status ``returned``; resubmitting re-walks, or comes
  straight back to the returning node) or to an earlier approver node outside
  parallel branches. Revoking turns ``approved`` into ``revoked``: the only move
  out of a terminal state.
"""

from .core import apply, ensure_valid, replay, urge_allowed
from .definitions import (
    ApproverNode,
    AssigneeKind,
    Assignees,
    Branch,
    CcNode,
    CcTiming,
    Condition,
    ConditionNode,
    Definition,
    EmptyPolicy,
    InitiatorPolicy,
    Mode,
    Node,
    Op,
    ParallelNode,
    ReturnPolicy,
    TimeoutPolicy,
    definition_from_dict,
    definition_to_dict,
)
from .dry_run import dry_run
from .errors import (
    EngineError,
    InstanceFinished,
    InvalidAction,
    InvalidDefinition,
    NotAllowedByFlow,
    NotDelegated,
    NotInitiator,
    NotYourTask,
    UrgeTooSoon,
)
from .org import InMemoryOrg, OrgFacts, ResolvedApprover, resolve_assignees
from .state import (
    Action,
    AddApprover,
    AnyAction,
    Approve,
    Comment,
    Event,
    NodeRun,
    Notification,
    Outcome,
    Path,
    PathStep,
    Reject,
    Return,
    Revoke,
    State,
    Status,
    Submit,
    Task,
    TaskOutcome,
    TaskState,
    Timeout,
    Transfer,
    Urge,
    Withdraw,
    action_from_dict,
    action_to_dict,
    state_from_dict,
    state_to_dict,
)
from .validation import Problem, choose_branch, condition_holds, validate

__all__ = [
    "Action",
    "AddApprover",
    "AnyAction",
    "Approve",
    "ApproverNode",
    "AssigneeKind",
    "Assignees",
    "Branch",
    "CcNode",
    "CcTiming",
    "Comment",
    "Condition",
    "ConditionNode",
    "Definition",
    "EmptyPolicy",
    "EngineError",
    "Event",
    "InMemoryOrg",
    "InitiatorPolicy",
    "InstanceFinished",
    "InvalidAction",
    "InvalidDefinition",
    "Mode",
    "Node",
    "NodeRun",
    "NotAllowedByFlow",
    "NotDelegated",
    "NotInitiator",
    "NotYourTask",
    "Notification",
    "Op",
    "OrgFacts",
    "Outcome",
    "ParallelNode",
    "Path",
    "PathStep",
    "Problem",
    "Reject",
    "ResolvedApprover",
    "Return",
    "ReturnPolicy",
    "Revoke",
    "State",
    "Status",
    "Submit",
    "Task",
    "TaskOutcome",
    "TaskState",
    "Timeout",
    "TimeoutPolicy",
    "Transfer",
    "Urge",
    "UrgeTooSoon",
    "Withdraw",
    "action_from_dict",
    "action_to_dict",
    "apply",
    "choose_branch",
    "condition_holds",
    "definition_from_dict",
    "definition_to_dict",
    "dry_run",
    "ensure_valid",
    "replay",
    "resolve_assignees",
    "state_from_dict",
    "state_to_dict",
    "urge_allowed",
    "validate",
]
