"""Code lists of the member registry (domain.md §8; ethnic groups after GB/T 3304)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Category(models.TextChoices):
    """Where a person stands on the way into the party (domain.md §3)."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


MEMBER_CATEGORIES = frozenset({Category.PROBATIONARY, Category.FULL})
# The date field that records when a person reached each category.
CATEGORY_DATE_FIELDS: dict[str, str] = {
    Category.APPLICANT: "applied_on",
    Category.ACTIVIST: "activist_on",
    Category.CANDIDATE: "candidate_on",
    Category.PROBATIONARY: "joined_on",
    Category.FULL: "converted_on",
}


class Status(models.TextChoices):
    """Standing on the institution's books; only normal and suspended are counted as members."""

    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("停止党籍")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    LEFT = "left", _("已出党")
    DECEASED = "deceased", _("已去世")


ON_BOOKS = frozenset({Status.NORMAL, Status.SUSPENDED})


class LeaveReason(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("退党")
    PERSUADED = "persuaded", _("劝退")
    REMOVED = "removed", _("除名")
    EXPELLED = "expelled", _("开除党籍")
    LAPSED = "lapsed", _("自行脱党")
    PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    JUNIOR_COLLEGE = "junior_college", _("大学专科")
    SECONDARY = "secondary", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR_HIGH = "junior_high", _("初中及以下")


class Post(models.TextChoices):
    """A university's posts and student kinds, as the Ministry's tables count them."""

    MANAGEMENT = "management", _("管理人员")
    PROFESSIONAL = "professional", _("专业技术人员")
    SUPPORT = "support", _("工勤技能人员")
    UNDERGRADUATE = "undergraduate", _("本科生")
    MASTER_STUDENT = "master_student", _("硕士研究生")
    DOCTORAL_STUDENT = "doctoral_student", _("博士研究生")
    JUNIOR_COLLEGE_STUDENT = "junior_college_student", _("专科生")
    RETIRED = "retired", _("离退休人员")
    OTHER = "other", _("其他")


STUDENT_POSTS = frozenset(
    {
        Post.UNDERGRADUATE,
        Post.MASTER_STUDENT,
        Post.DOCTORAL_STUDENT,
        Post.JUNIOR_COLLEGE_STUDENT,
    }
)


class Ethnicity(models.TextChoices):
    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYEI = "09", _("布依族")
    KOREAN = "10", _("朝鲜族")
    MANCHU = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    HANI = "16", _("哈尼族")
    KAZAKH = "17", _("哈萨克族")
    DAI = "18", _("傣族")
    LI = "19", _("黎族")
    LISU = "20", _("傈僳族")
    VA = "21", _("佤族")
    SHE = "22", _("畲族")
    GAOSHAN = "23", _("高山族")
    LAHU = "24", _("拉祜族")
    SUI = "25", _("水族")
    DONGXIANG = "26", _("东乡族")
    NAXI = "27", _("纳西族")
    JINGPO = "28", _("景颇族")
    KYRGYZ = "29", _("柯尔克孜族")
    TU = "30", _("土族")
    DAUR = "31", _("达斡尔族")
    MULAO = "32", _("仫佬族")
    QIANG = "33", _("羌族")
    BLANG = "34", _("布朗族")
    SALAR = "35", _("撒拉族")
    MAONAN = "36", _("毛南族")
    GELAO = "37", _("仡佬族")
    XIBE = "38", _("锡伯族")
    ACHANG = "39", _("阿昌族")
    PUMI = "40", _("普米族")
    TAJIK = "41", _("塔吉克族")
    NU = "42", _("怒族")
    UZBEK = "43", _("乌孜别克族")
    RUSSIAN = "44", _("俄罗斯族")
    EWENKI = "45", _("鄂温克族")
    DEANG = "46", _("德昂族")
    BONAN = "47", _("保安族")
    YUGUR = "48", _("裕固族")
    GIN = "49", _("京族")
    TATAR = "50", _("塔塔尔族")
    DERUNG = "51", _("独龙族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    MONPA = "54", _("门巴族")
    LHOBA = "55", _("珞巴族")
    JINO = "56", _("基诺族")
    OTHER = "97", _("其他")
    NATURALIZED = "98", _("外国血统中国籍人士")


class TransferDirection(models.TextChoices):
    INTERNAL = "internal", _("校内转接")
    OUTBOUND = "outbound", _("转出本校")
    INBOUND = "inbound", _("从校外转入")


class TransferStatus(models.TextChoices):
    ISSUED = "issued", _("已开具介绍信")
    RECEIVED = "received", _("已接收")
    RETURNED = "returned", _("已退回")


class EventKind(models.TextChoices):
    """What the member's timeline records."""

    REGISTERED = "registered", _("建档")
    UPDATED = "updated", _("信息修改")
    CATEGORY = "category", _("身份变化")
    TRANSFER_ISSUED = "transfer_issued", _("开具组织关系介绍信")
    TRANSFER_RECEIVED = "transfer_received", _("组织关系转入")
    TRANSFER_RETURNED = "transfer_returned", _("介绍信退回")
    FLOATING_STARTED = "floating_started", _("外出流动")
    FLOATING_ENDED = "floating_ended", _("流动结束")
    LOST_CONTACT = "lost_contact", _("失去联系")
    CONTACT_RESTORED = "contact_restored", _("恢复联系")
    SUSPENDED = "suspended", _("停止党籍")
    RESTORED = "restored", _("恢复党籍")
    LEFT = "left", _("出党")
    DIED = "died", _("去世")
    POSITION = "position", _("党内职务")
    CORRECTED = "corrected", _("信息更正")


class CadreRank(models.TextChoices):
    DEPARTMENT_CHIEF = "department_chief", _("正厅级")
    DEPUTY_DEPARTMENT = "deputy_department", _("副厅级")
    DIVISION_CHIEF = "division_chief", _("正处级")
    DEPUTY_DIVISION = "deputy_division", _("副处级")


class CadreStatus(models.TextChoices):
    IN_OFFICE = "in_office", _("在任")
    FORMER = "former", _("已离任")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    REJECTED = "rejected", _("未采纳")


# Age bands of the party's internal statistics (党内统计年报): (code, label, lowest, highest age).
AGE_BANDS: tuple[tuple[str, Any, int, int], ...] = (
    ("to30", _("30岁及以下"), 0, 30),
    ("31_35", _("31至35岁"), 31, 35),
    ("36_40", _("36至40岁"), 36, 40),
    ("41_45", _("41至45岁"), 41, 45),
    ("46_50", _("46至50岁"), 46, 50),
    ("51_55", _("51至55岁"), 51, 55),
    ("56_60", _("56至60岁"), 56, 60),
    ("61_70", _("61至70岁"), 61, 70),
    ("71_80", _("71至80岁"), 71, 80),
    ("from81", _("81岁及以上"), 81, 200),
)
