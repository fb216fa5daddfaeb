"""Official documents (公文): registers, drafting, numbering, distribution, circulation."""

from zhiban.documents.models.circulation import (
    CIRCULATION_WORK_KIND,
    Circulation,
    CirculationReader,
)
from zhiban.documents.models.handling import (
    INCOMING_WORK_KIND,
    IncomingStep,
    Stage,
)
from zhiban.documents.models.numbering import DocumentNumber, NumberSeries
from zhiban.documents.models.outgoing import (
    FOLLOW_UP_WORK_KIND,
    OUTGOING_FLOW_CODE,
    OUTGOING_FLOW_KIND,
    RECEIPT_WORK_KIND,
    Distribution,
    DistributionRecipient,
    DocumentApproval,
    DraftNote,
    DraftTemplate,
    DraftVersion,
)
from zhiban.documents.models.registers import (
    NATIONAL_SECRECY_LEVELS,
    Direction,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentType,
    Urgency,
    document_file_path,
)

__all__ = [
    "CIRCULATION_WORK_KIND",
    "FOLLOW_UP_WORK_KIND",
    "INCOMING_WORK_KIND",
    "NATIONAL_SECRECY_LEVELS",
    "OUTGOING_FLOW_CODE",
    "OUTGOING_FLOW_KIND",
    "RECEIPT_WORK_KIND",
    "Circulation",
    "CirculationReader",
    "Direction",
    "Distribution",
    "DistributionRecipient",
    "Document",
    "DocumentApproval",
    "DocumentEvent",
    "DocumentFile",
    "DocumentNumber",
    "DocumentType",
    "DraftNote",
    "DraftTemplate",
    "DraftVersion",
    "IncomingStep",
    "NumberSeries",
    "Stage",
    "Urgency",
    "document_file_path",
]
