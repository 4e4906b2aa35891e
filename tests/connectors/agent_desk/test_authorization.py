"""Who may see what at the desk: the service token is not an agent session and an agent
session is not the service token; without either, nothing personal comes back."""

from __future__ import annotations

import httpx

from tests.connectors.agent_desk.desk_support import DESK_URL, Desk


async def test_the_service_token_opens_no_agent_route(desk: Desk) -> None:
    ticket = (await desk.open_ticket()).json()["ticket"]
    for path in ("/desk/api/queue", f"/desk/api/tickets/{ticket['id']}", "/desk/api/session"):
        response = await desk.service.get(path)
        assert response.status_code == 401, path
        assert "Alice" not in response.text


async def test_an_agent_session_opens_no_service_route(desk: Desk) -> None:
    await desk.open_ticket()
    agent = await desk.agent()
    response = await agent.get(
        "/api/tickets/open", params={"conversation_id": "web-3f2a000000000000000000aa"}
    )
    assert response.status_code == 401
    assert (await agent.post("/api/tickets", json={})).status_code == 401


async def test_strangers_get_nothing_personal(desk: Desk) -> None:
    ticket = (await desk.open_ticket()).json()["ticket"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=desk.app), base_url=DESK_URL
    ) as stranger:
        for method, path in [
            ("GET", "/desk/api/queue"),
            ("GET", f"/desk/api/tickets/{ticket['id']}"),
            ("GET", f"/desk/api/tickets/{ticket['id']}/messages"),
            ("GET", "/api/tickets/open?conversation_id=web-3f2a000000000000000000aa"),
            ("POST", f"/desk/api/tickets/{ticket['id']}/claim"),
        ]:
            response = await stranger.request(
                method, path, headers={"Cookie": "desk_session=forged"}
            )
            assert response.status_code in (401, 403), path
            assert "Alice" not in response.text and "CUST-0001" not in response.text


async def test_the_agent_api_exposes_tickets_only(desk: Desk) -> None:
    agent = await desk.agent()
    spec = desk.app.openapi()
    agent_paths = [path for path in spec["paths"] if path.startswith("/desk/api")]
    assert all(
        p == "/desk/api/session" or p.startswith(("/desk/api/queue", "/desk/api/tickets"))
        for p in agent_paths
    )
    queue = (await agent.get("/desk/api/queue")).json()
    assert set(queue) == {"tickets"}
