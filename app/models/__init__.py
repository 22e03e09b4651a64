"""The domain model. Models change state but never commit: services own the transaction."""

from app.models import guards  # noqa: F401  (append-only triggers)
from app.models.action import Action, RagChange, StrategicLink, action_contact, action_owner, action_partner
from app.models.audit import AuditEvent
from app.models.baseline import ActionBaseline, PlanBaseline
from app.models.contact import Contact, Partner
from app.models.data_version import data_version
from app.models.enums import ActionStatus, Framework, PlanKind, Rag, Role, Strand
from app.models.export_job import ExportJob
from app.models.measure import TOTAL, Direction, Frequency, Measure, MeasureValue, ReportEdit, measure_action
from app.models.notification import EmailOptOut, PasswordReset, SentEmail
from app.models.plan import Objective, Plan
from app.models.review import Review, ReviewSnapshot
from app.models.update import AppendOnlyError, Update
from app.models.upload import PendingImport
from app.models.user import User

__all__ = [
    "Action",
    "ActionBaseline",
    "ActionStatus",
    "AppendOnlyError",
    "AuditEvent",
    "Contact",
    "EmailOptOut",
    "Direction",
    "ExportJob",
    "Frequency",
    "Measure",
    "MeasureValue",
    "ReportEdit",
    "TOTAL",
    "measure_action",
    "Framework",
    "Objective",
    "Partner",
    "PasswordReset",
    "PendingImport",
    "Plan",
    "PlanBaseline",
    "PlanKind",
    "Rag",
    "RagChange",
    "Review",
    "ReviewSnapshot",
    "Role",
    "SentEmail",
    "StrategicLink",
    "Strand",
    "Update",
    "User",
    "action_contact",
    "action_owner",
    "action_partner",
    "data_version",
]
