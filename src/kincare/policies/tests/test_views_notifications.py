"""The notifications inbox: each user sees their own, marks one or all read."""

from django.urls import reverse

from kincare.core.models import Notification
from kincare.core.notifications import notify
from kincare.policies.tests.page_helpers import body, client_for

URL = reverse("notifications")


def test_the_inbox_requires_login(db):
    response = client_for().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for().post(URL).status_code == 302


def test_each_user_sees_only_their_own_notifications(guardian, adult_member, outsider):
    notify(recipient=guardian, kind="policy.issued", title="保单已生效", body="王德福的保单已生效", link="/policies/")
    notify(recipient=adult_member, kind="policy.issued", title="李秀英的消息")
    notify(recipient=guardian, kind="x", title="外链", link="https://evil.example/")
    page = body(client_for(guardian).get(URL))
    assert "保单已生效" in page and 'href="/policies/"' in page and "李秀英的消息" not in page
    assert "evil.example" not in page  # only site paths become links
    assert "2 条未读" in page
    assert "保单已生效" not in body(client_for(outsider).get(URL))


def test_marking_one_and_then_all_read(guardian, outsider):
    first = notify(recipient=guardian, kind="a", title="一")
    second = notify(recipient=guardian, kind="b", title="二")
    theirs = notify(recipient=outsider, kind="c", title="三")
    client = client_for(guardian)
    assert client.post(URL, {"id": str(theirs.pk)}).status_code == 302
    assert Notification.objects.get(pk=theirs.pk).read_at is None  # not the guardian's to mark
    assert client.post(URL, {"id": str(first.pk)}).status_code == 302
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert Notification.objects.get(pk=second.pk).read_at is None
    assert client.post(URL, {"id": "１"}).status_code == 302  # ignored, nothing marked
    assert Notification.objects.get(pk=second.pk).read_at is None
    client.post(URL)
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "没有未读通知" in body(client.get(URL))
