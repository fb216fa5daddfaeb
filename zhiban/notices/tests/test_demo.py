import pytest

from zhiban.core.files import inspect_upload
from zhiban.notices.demo import seed_demo_notices, tiny_pdf
from zhiban.notices.models import Notice, NoticeReceipt
from zhiban.notices.selectors import NoticeFilters, notice_list_for


def test_tiny_pdf_is_accepted_as_a_pdf():
    import io

    intake = inspect_upload(io.BytesIO(tiny_pdf()), name="a.pdf")
    assert intake.content_type == "application/pdf"


@pytest.mark.django_db
def test_seed_demo_notices(clerk, org):
    users = [org["engineer"], org["technician"], org["accountant"], org["miner"]]

    notices = seed_demo_notices(
        author=clerk, departments=[org["production"]], users=users
    )

    assert len(notices) == 6
    assert Notice.objects.filter(state="draft").count() == 1
    assert Notice.objects.filter(is_pinned=True).count() == 2
    assert Notice.objects.filter(attachments__isnull=False).count() == 1
    expired = notice_list_for(user=org["miner"], filters=NoticeFilters(tab="expired"))
    assert [n.title for n in expired] == ["关于报送第三季度信息简报的通知"]
    assert NoticeReceipt.objects.filter(read_at__isnull=False).count() == 2 + 1
