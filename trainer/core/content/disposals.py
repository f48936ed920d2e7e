"""Which out-of-court disposals a case permits, and at what authority (Outcomes 2026).

Given a case's structured facts (offence and Home Office code, suspect's age, admission, history
with dates, domestic abuse, hate crime), `permitted` applies the catalogue's disposal conditions.
The validator checks each disposal review's key against it, so a wrong key cannot be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from trainer.core.content.catalogue import Catalogue, DisposalType, Permission
from trainer.core.content.models import Authority, CaseFacts

Verdict = Literal["approve", "refuse", "escalate", "unclear"]
_AUTHORITIES: tuple[Authority, ...] = ("inspector", "superintendent", "cps")


@dataclass(frozen=True)
class Reason:
    """One condition that bears on the decision: what it says and the card that teaches it."""

    condition: str
    permission: Permission
    rule: str
    text: str


@dataclass(frozen=True)
class Permitted:
    """The decision the rules give for a proposed disposal, and the conditions behind it."""

    disposal: str
    verdict: Verdict
    authority: Authority | None
    reasons: tuple[Reason, ...]

    @property
    def rule(self) -> str:
        """The card of the deciding condition (a refusal first, then an authority)."""
        for wanted in ("refuse", "unclear", *_AUTHORITIES):
            found = next((r for r in self.reasons if r.permission == wanted), None)
            if found is not None:
                return found.rule
        return self.reasons[0].rule if self.reasons else ""


def within_two_years(when: str, decided_on: str) -> bool:
    """Whether a caution or conviction dated `when` falls in the two years before the decision."""
    day, decision = date.fromisoformat(when), date.fromisoformat(decided_on)
    try:
        start = decision.replace(year=decision.year - 2)
    except ValueError:  # 29 February
        start = decision.replace(year=decision.year - 2, day=28)
    return start <= day <= decision


def _conditions(case: CaseFacts, disposal: DisposalType, catalogue: Catalogue) -> list[Reason]:
    """Every condition of `disposal` that the case's facts touch."""
    found: list[tuple[str, Permission, str]] = []
    if not disposal.min_age <= case.suspect_age <= disposal.max_age:
        found.append(
            (
                "age",
                "refuse",
                f"the suspect is {case.suspect_age}; {disposal.name.lower()} "
                f"is for ages {disposal.min_age} to {disposal.max_age}",
            )
        )
    if disposal.needs_admission and not case.admits:
        found.append(("admission", "refuse", "the suspect has not admitted the offence"))
    if disposal.only_ho_codes and case.ho_code not in disposal.only_ho_codes:
        found.append(("offence", "refuse", f"{case.ho_code} is not an offence it is for"))
    ho = catalogue.ho_code(case.offence, case.ho_code)
    mode = ho.mode if ho else ""
    by_mode = {"S": "summary", "E": "either_way", "I": "indictable_only"}
    if mode in by_mode:
        name = by_mode[mode]
        found.append((name, getattr(disposal, name), f"{case.ho_code} is {_MODE_NAMES[mode]}"))
    else:
        found.append(("mode", "unclear", f"{case.ho_code} has no mode of trial on the list"))
    if case.domestic_abuse == "intimate-partner":
        found.append(("intimate_partner_da", disposal.intimate_partner_da, "intimate-partner DA"))
    elif case.domestic_abuse == "family":
        found.append(("other_da", disposal.other_da, "domestic abuse (not intimate partners)"))
    if case.hate_crime:
        found.append(("hate_crime", disposal.hate_crime, "a hate crime"))
    if case.domestic_abuse == "none" and not case.hate_crime:
        found.append(("neither_da_nor_hate", disposal.neither_da_nor_hate, "neither DA nor hate"))
    if case.suspect_age < 18 and case.ho_code in catalogue.knife_possession_codes:
        found.append(
            ("knife_possession_under_18", disposal.knife_possession_under_18, "a child's knife")
        )
    recent = [h for h in case.history if within_two_years(h.date, case.decided_on)]
    if recent:
        found.append(
            (
                "history_within_two_years",
                disposal.history_within_two_years,
                f"a {recent[0].type} on {recent[0].date}, within two years",
            )
        )
    elif case.history:
        found.append(("older_history", disposal.older_history, "history older than two years"))
    return [
        Reason(name, permission, _card(catalogue, disposal, name), text)
        for name, permission, text in found
        if permission != "allow"
    ]


_MODE_NAMES = {"S": "summary-only", "E": "either-way", "I": "indictable-only"}


def authority_suffices(
    case: CaseFacts | None, catalogue: Catalogue, given: str | None, wanted: str | None
) -> bool:
    """Whether an escalation to `given` meets a key that wants `wanted`: the same authority, or a
    Superintendent where the guidance says "Inspector or higher" for the disposal proposed."""
    if given == wanted:
        return True
    disposal = catalogue.disposal_by_id.get(case.disposal) if case is not None else None
    return (
        disposal is not None
        and disposal.higher_rank_may_authorise
        and (wanted, given) == ("inspector", "superintendent")
    )


def _card(catalogue: Catalogue, disposal: DisposalType, condition: str) -> str:
    return catalogue.condition_card(condition, disposal)


def permitted(case: CaseFacts, catalogue: Catalogue, disposal: str | None = None) -> Permitted:
    """The decision on `disposal` (default: the one the case proposes).

    A refusal outweighs everything; then a condition the guidance leaves unclear; then one
    authority (two different authorities are left unclear rather than ranked); else approve.
    """
    chosen = catalogue.disposal_by_id[disposal or case.disposal]
    reasons = tuple(_conditions(case, chosen, catalogue))
    permissions = {r.permission for r in reasons}
    authorities = [a for a in _AUTHORITIES if a in permissions]
    verdict: Verdict
    authority: Authority | None = None
    if "refuse" in permissions:
        verdict = "refuse"
    elif "unclear" in permissions or len(authorities) > 1:
        verdict = "unclear"
    elif authorities:
        verdict, authority = "escalate", authorities[0]
    else:
        verdict = "approve"
    return Permitted(chosen.id, verdict, authority, reasons)


def permitted_disposals(case: CaseFacts, catalogue: Catalogue) -> list[Permitted]:
    """Every disposal in the catalogue, with what the rules say of it for this case."""
    return [permitted(case, catalogue, d.id) for d in catalogue.disposals]
