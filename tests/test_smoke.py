def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_dashboard_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_registrar_sees_dashboard(auth, client):
    auth.login("registrar")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Dashboard" in response.data
