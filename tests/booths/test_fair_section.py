"""The public fair page shows the jobs at the fair and links to them (and, for a livestream, to
its running order)."""

from __future__ import annotations

from tests.employers.conftest import bearer_client, employers_with_tokens, make_fair


async def test_fair_page_shows_jobs(app, organiser, new_client, world):
    fair = await make_fair(organiser, world, booths=2)
    anon = new_client()
    page = await anon.get(f"/fairs/{fair['id']}?lang=en")
    assert "Jobs at this fair" in page.text and "not listed their positions yet" in page.text
    [employer] = await employers_with_tokens(1, start=5300)
    async with bearer_client(app, employer["token"]) as hr:
        booked = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
        for title, n in (("焊工", 20), ("电工", 5)):
            made = await hr.post(f"/api/v1/bookings/{booked.json()['id']}/positions", json={
                "title": title, "headcount": n, "education": "any", "salary_min": 6000,
                "salary_max": 9000, "job_type": "regular"})
            assert made.status_code == 201, made.text
    page = await anon.get(f"/fairs/{fair['id']}?lang=en")
    assert "2 positions" in page.text and "25" in page.text
    assert f'href="/fairs/{fair["id"]}/jobs"' in page.text
    assert "running-order" not in page.text
    jobs = await anon.get(f"/fairs/{fair['id']}/jobs")
    assert jobs.status_code == 200 and "焊工" in jobs.text and "电工" in jobs.text
    online = await make_fair(organiser, world, kind="online")
    page = await anon.get(f"/fairs/{online['id']}?lang=en")
    assert f'href="/fairs/{online["id"]}/running-order"' in page.text
