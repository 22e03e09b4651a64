"""The GOV.UK pagination component's parameters for a list read a page at a time."""

from collections.abc import Callable

AROUND_CURRENT = 1  # page links either side of the current page; the first and last are always shown


def page_numbers(current: int, pages: int) -> list[int | None]:
    """The page numbers to link to, None where an ellipsis stands for the pages left out: 1 … 4 5 6 … 50."""
    shown = {1, pages, *range(current - AROUND_CURRENT, current + AROUND_CURRENT + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def pagination(current: int, pages: int, href: Callable[[int], str], label: str) -> dict | None:
    """`govukPagination` parameters, or None when everything fits on one page."""
    if pages <= 1:
        return None
    items = [
        {"ellipsis": True} if number is None else {"number": number, "href": href(number), "current": number == current}
        for number in page_numbers(current, pages)
    ]
    params: dict = {"items": items, "landmarkLabel": label}
    if current > 1:
        params["previous"] = {"href": href(current - 1)}
    if current < pages:
        params["next"] = {"href": href(current + 1)}
    return params
