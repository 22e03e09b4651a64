"""The plan as JSON, exactly as docs/design.md's "--format json" describes: how plans are compared and handed on."""

import json

from app.models import Action, Plan
from app.services.exporting.content import PlanContent, Redactor, UpdateRow, load_plan_content, record_export


def plan_as_dict(plan: Plan, *, audience: str) -> dict:
    """The plan as it is stored, one flat list of actions; the `pcc` audience gets restricted text withheld.

    The audience has no default: whoever asks says which copy, so the sensitive one is never had by omission.
    """
    redactor = Redactor(audience)
    content = load_plan_content(plan)
    return {
        "title": redactor.text(plan.title),
        "priority": redactor.text(plan.priority) if plan.priority is not None else None,
        "lead": redactor.text(plan.lead) if plan.lead is not None else None,
        "period_start": _iso(plan.period_start),
        "period_end": _iso(plan.period_end),
        "objectives": [
            {
                "strand": objective.strand.value if objective.strand else None,
                "ref": objective.ref,
                "title": redactor.text(objective.title),
                "outcomes": [redactor.text(outcome) for outcome in objective.outcomes or []],
            }
            for objective in content.objectives
        ],
        "actions": [_action(action, content, redactor) for action in content.actions],
    }


def export_json(plan: Plan, *, audience: str, user=None) -> str:
    """The JSON text of the plan, with the export recorded in the audit trail (who, which plan, which audience)."""
    text = json.dumps(plan_as_dict(plan, audience=audience), ensure_ascii=False, indent=2)
    record_export(plan, audience=audience, file_format="json", user=user)
    return text


def _action(action: Action, content: PlanContent, redactor: Redactor) -> dict:
    withheld = redactor.withheld(action)
    return {
        "strand": action.strand.value if action.strand else None,
        "objective": action.objective.ref if action.objective else None,
        "ref": action.ref,
        "what": redactor.action_text(action, action.what),
        "how": redactor.action_text(action, action.how),
        "responsibility": redactor.action_text(action, action.responsibility),
        "owners": [] if withheld else [owner.email for owner in action.owners],
        "status": action.status.value if action.status else None,
        "rag": action.rag.value if action.rag else None,
        "target_date": _iso(action.target_date),
        "links": []
        if withheld
        else [
            {"framework": link.framework.value, "code": link.code, "resolved": link.resolved} for link in action.links
        ],
        "updates": [_update(redactor.update(action, update)) for update in content.updates_of(action)],
    }


def _update(update: UpdateRow) -> dict:
    return {
        "as_at": _iso(update.as_at),
        "author": update.author,
        "rag": update.rag.value if update.rag else None,
        "restricted": update.restricted,
        "text": update.text,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None
