"""Outreach: service points (服务阵地), activities with sign-up (活动网上开展), announcements
(信息网上推送), cadre training (干部教育培训) and yearly practical projects (实项目)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import HistoryBase


class InParentOrg:
    """A child row of an org-distributed table (activities, announcements, courses: core/citus.py)
    carries its parent's org, the distribution column: `parent_org = (parent field, parent's org
    field)`. A save without it takes the parent's; bulk inserts set it themselves."""

    parent_org: tuple[str, str] = ("", "org")

    def save(self, *args: object, **kwargs: object) -> None:
        parent, parent_field = self.parent_org
        if getattr(self, "org_id") is None:  # noqa: B009 - a field of the subclass
            self.org_id = getattr(getattr(self, parent), f"{parent_field}_id")
        super().save(*args, **kwargs)  # type: ignore[misc]


def _parent_org() -> models.ForeignKey:  # type: ignore[type-arg]
    # the parent's org: the distribution column (docs/scale.md), filled from the parent
    return models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                             editable=False)

# --- service points -------------------------------------------------------------------------


class StationKind(models.TextChoices):
    OUTDOOR = "outdoor", _("户外劳动者服务站点（爱心接力站）")
    NURSING = "nursing", _("爱心妈咪小屋")
    LIBRARY = "library", _("职工书屋")
    POST = "post", _("服务驿站")
    AID_CENTER = "aid_center", _("帮扶中心")


class Amenity(models.IntegerChoices):
    """Bits of `Station.amenities`: one integer column filtered with a bitwise AND."""

    WATER = 1, _("饮用水")
    SEATS = 2, _("休息座椅")
    CHARGING = 4, _("手机充电")
    TOILET = 8, _("卫生间")
    MICROWAVE = 16, _("微波炉")
    FIRST_AID = 32, _("急救药箱")
    AIRCON = 64, _("空调")
    BOOKS = 128, _("图书")


AMENITY_CODES: dict[str, int] = {
    "water": Amenity.WATER, "seats": Amenity.SEATS, "charging": Amenity.CHARGING,
    "toilet": Amenity.TOILET, "microwave": Amenity.MICROWAVE, "first_aid": Amenity.FIRST_AID,
    "aircon": Amenity.AIRCON, "books": Amenity.BOOKS,
}


class StationStatus(models.TextChoices):
    OPEN = "open", _("开放")
    REPAIR = "repair", _("维修暂停")
    REMOVED = "removed", _("已撤除")


STATION_TRANSITIONS: dict[str, set[str]] = {
    StationStatus.OPEN: {StationStatus.REPAIR, StationStatus.REMOVED},
    StationStatus.REPAIR: {StationStatus.OPEN, StationStatus.REMOVED},
}


class Station(TimeStampedModel):
    """A service point of a union. `lat`/`lon` (WGS-84 degrees) carry one composite index: the
    nearest search reads a bounding box from it on SQLite and PostgreSQL alike
    (docs/decisions.md)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("所属工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    code = models.CharField(_("站点编号"), max_length=40, unique=True)
    name = models.CharField(_("站点名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    address = models.CharField(_("地址"), max_length=255)
    district = models.CharField(_("所在区"), max_length=32, db_index=True)
    lat = models.FloatField(_("纬度"))
    lon = models.FloatField(_("经度"))
    amenities = models.PositiveIntegerField(_("服务设施"), default=0)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    opened_on = models.DateField(_("建成日期"), null=True, blank=True)
    public = models.BooleanField(_("在公开地图上显示"), default=True)
    status = models.CharField(_("状态"), max_length=16, choices=StationStatus.choices,
                              default=StationStatus.OPEN)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    history_model = "outreach.StationHistory"

    class Meta:
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        indexes = [models.Index(fields=["lat", "lon"], name="station_lat_lon"),
                   models.Index(fields=["kind", "opened_on"], name="station_kind_opened")]
        constraints = [
            # China's bounding box (73°E–135°E, 18°N–54°N): a swapped or zero pair is refused.
            models.CheckConstraint(condition=Q(lat__gte=18, lat__lte=54, lon__gte=73, lon__lte=135),
                                   name="station_inside_china"),
        ]

    def __str__(self) -> str:
        return self.name

    def amenity_labels(self) -> list[str]:
        return [str(a.label) for a in Amenity if self.amenities & a.value]


class StationHistory(HistoryBase):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="history")
    history_subject_field = "station"


class StationHours(models.Model):
    """The weekly pattern: one row per weekday and opening interval. `closes <= opens` runs
    past midnight into the next day; `opens == closes == 00:00` is open all day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"))  # 0 = Monday (date.weekday())
    opens = models.TimeField(_("开放时间"))
    closes = models.TimeField(_("关闭时间"))

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday")]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class StationException(models.Model):
    """A day that differs from the pattern: closed, or open with its own hours."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("日期"))
    closed = models.BooleanField(_("全天关闭"), default=False)
    opens = models.TimeField(_("开放时间"), null=True, blank=True)
    closes = models.TimeField(_("关闭时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["station", "day"], name="exception_one_per_day"),
            models.CheckConstraint(
                condition=Q(closed=True) | Q(opens__isnull=False, closes__isnull=False),
                name="exception_hours_or_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.day}"


class Inspection(models.Model):
    """A yearly inspection (年度检查) of a station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    passed = models.BooleanField(_("合格"), default=True)
    inspector = models.CharField(_("检查人"), max_length=64)
    note = models.CharField(_("检查情况"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station_id} {self.inspected_on}"


class StationPhoto(models.Model):
    """A photo of a station (PNG or JPEG, checked on upload by services.photos). Stored under
    MEDIA_ROOT but never linked from there: served only through the checked view
    (`outreach:station_photo`)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    content = models.FileField(upload_to="outreach/photos/%Y/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("站点照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or f"{self.station_id}-{self.pk}"


# --- practical projects (实项目) -------------------------------------------------------------


class ProjectMetric(models.TextChoices):
    OPENED = "opened", _("当年新建站点数")
    INSPECTED = "inspected", _("当年检查合格站点数")


class Project(TimeStampedModel):
    """A yearly practical project of a federation, e.g. 新增 1,000 家爱心接力站."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("下达工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("站点类型"), max_length=16, choices=StationKind.choices)
    metric = models.CharField(_("计算口径"), max_length=16, choices=ProjectMetric.choices,
                              default=ProjectMetric.OPENED)

    class Meta:
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectTarget(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("区"))
    target = models.PositiveIntegerField(_("目标数"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "district"],
                                               name="target_one_per_district"),
                       models.CheckConstraint(condition=Q(target__gte=1), name="target_positive")]

    def __str__(self) -> str:
        return f"{self.district_id}: {self.target}"


# --- activities -----------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("文化")
    SPORT = "sport", _("体育")
    VOLUNTEER = "volunteer", _("志愿服务")
    CAMPAIGN = "campaign", _("季节性活动（如夏送清凉）")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


class Group(models.TextChoices):
    """Audience groups beyond "every member of the subtree"."""

    NEW_EMPLOYMENT = "new_employment", _("新就业形态劳动者")
    WOMEN = "women", _("女职工")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


ACTIVITY_TRANSITIONS: dict[str, set[str]] = {ActivityStatus.OPEN: {ActivityStatus.CANCELLED}}


class Activity(TimeStampedModel):
    """An activity of a union for its subtree. Its row is the lock of the places: every sign-up
    and cancellation locks it first; `taken` (confirmed places) never exceeds `capacity`."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("主办工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("地点"), max_length=255)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    taken = models.PositiveIntegerField(default=0)
    group = models.CharField(_("限定群体"), max_length=16, choices=Group.choices, blank=True)
    signup_opens = models.DateTimeField(_("报名开始"))
    signup_closes = models.DateTimeField(_("报名截止"))
    cancel_deadline = models.DateTimeField(_("取消报名截止"))
    status = models.CharField(_("状态"), max_length=16, choices=ActivityStatus.choices,
                              default=ActivityStatus.OPEN)
    # The secret of the rotating check-in code (HMAC key material; never shown).
    qr_key = models.CharField(max_length=64, editable=False)
    # When `gonghui outreach notify-due` sent the day-before reminder (sent once).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    history_model = "outreach.ActivityHistory"

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")),
                                   name="activity_taken_within_capacity"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(signup_closes__gt=F("signup_opens")),
                                   name="activity_signup_window"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityHistory(InParentOrg, HistoryBase):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="history")
    org = _parent_org()
    parent_org = ("activity", "org")
    history_subject_field = "activity"


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补中")
    CANCELLED = "cancelled", _("已取消")


SIGNUP_TRANSITIONS: dict[str, set[str]] = {
    SignupStatus.WAITING: {SignupStatus.CONFIRMED, SignupStatus.CANCELLED},
    SignupStatus.CONFIRMED: {SignupStatus.CANCELLED},
}


class Signup(InParentOrg, models.Model):
    """A member's sign-up. The waiting list is the WAITING rows in (`created_at`, `id`) order:
    first come, first served, and stored, so it survives restarts."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    org = _parent_org()  # the activity's organiser
    parent_org = ("activity", "org")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    membership_id = models.BigIntegerField(null=True, blank=True)
    union_path = models.CharField(max_length=255, blank=True)
    name = models.CharField(_("姓名"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("报名时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    check_in_method = models.CharField(_("签到方式"), max_length=8, blank=True)

    history_model = "outreach.SignupHistory"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One live sign-up per person and activity (a cancelled one may be followed by a new).
            models.UniqueConstraint(fields=["activity", "user", "org"],
                                    condition=Q(status__in=["confirmed", "waiting"]),
                                    name="signup_one_live_per_user"),
        ]
        indexes = [models.Index(fields=["activity", "status", "created_at", "id"],
                                name="signup_queue")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.activity_id}"


class SignupHistory(InParentOrg, HistoryBase):
    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="history")
    org = _parent_org()
    parent_org = ("signup", "org")
    history_subject_field = "signup"


# --- announcements --------------------------------------------------------------------------


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("全体会员和干部")
    CADRES = "cadres", _("仅工会干部")
    GROUPS = "groups", _("指定群体")


class AnnouncementStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


ANNOUNCEMENT_TRANSITIONS: dict[str, set[str]] = {
    AnnouncementStatus.PUBLISHED: {AnnouncementStatus.WITHDRAWN}}


class Announcement(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("发布工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    audience = models.CharField(_("发送对象"), max_length=16, choices=Audience.choices)
    group = models.CharField(_("群体"), max_length=16, choices=Group.choices, blank=True)
    attachment = models.FileField(_("附件"), upload_to="outreach/announcements/%Y/", blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"))
    recipients = models.PositiveIntegerField(_("送达人数"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=AnnouncementStatus.choices,
                              default=AnnouncementStatus.PUBLISHED)

    history_model = "outreach.AnnouncementHistory"

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=~Q(audience="groups") | ~Q(group=""), name="announcement_groups_named")]

    def __str__(self) -> str:
        return self.title


class AnnouncementHistory(InParentOrg, HistoryBase):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="history")
    org = _parent_org()
    parent_org = ("announcement", "org")
    history_subject_field = "announcement"


class Receipt(InParentOrg, models.Model):
    """One recipient's copy of an announcement: the inbox row and the read receipt.
    `union_path` is the recipient's union (members) or org (cadres): the read rate per union."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="receipts")
    org = _parent_org()  # the announcement's (not the recipient's: that is union_path)
    parent_org = ("announcement", "org")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    union_path = models.CharField(max_length=255)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user", "org"],
                                               name="receipt_one_per_user")]
        indexes = [models.Index(fields=["user", "announcement"], name="receipt_inbox"),
                   models.Index(fields=["user"], condition=Q(read_at__isnull=True),
                                name="receipt_unread")]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.user_id}"


# --- cadre training -------------------------------------------------------------------------


class Course(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("主办工会"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("课程名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("课程介绍"), blank=True)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class CourseSession(InParentOrg, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    org = _parent_org()
    parent_org = ("course", "org")
    starts_at = models.DateTimeField(_("上课时间"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("主题"), max_length=200)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours")]

    def __str__(self) -> str:
        return self.topic


class Enrolment(InParentOrg, models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    org = _parent_org()
    parent_org = ("course", "org")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enrolled_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user", "org"],
                                               name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.course_id} ← {self.user_id}"


class Attendance(InParentOrg, models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE,
                                related_name="attendance")
    org = _parent_org()
    parent_org = ("session", "org")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user", "org"],
                                               name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.session_id} ✓ {self.user_id}"
