"""Official documents (公文): registers, numbering, files, trail and circulation."""

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
    "INCOMING_WORK_KIND",
    "NATIONAL_SECRECY_LEVELS",
    "Circulation",
    "CirculationReader",
    "Direction",
    "Document",
    "DocumentEvent",
    "DocumentFile",
    "DocumentNumber",
    "DocumentType",
    "IncomingStep",
    "NumberSeries",
    "Stage",
    "Urgency",
    "document_file_path",
]
