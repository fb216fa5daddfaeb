"""The fictional coal group the demo seeds: 豫能焦煤集团 (invented; any likeness is chance).

Plain data, so that the seed, its tests and `scripts/demo.py` share one description.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhiban.org.models import Role, Unit

PASSWORD = "zhiban-demo"  # noqa: S105 - the published demo password
EMAIL_DOMAIN = "yuneng-coal.example"


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    children: tuple[DepartmentSpec, ...] = ()


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    short_name: str
    kind: str
    departments: tuple[DepartmentSpec, ...]


@dataclass(frozen=True)
class PersonSpec:
    username: str
    name: str
    department: str  # department code
    title: str
    roles: tuple[str, ...] = (Role.EMPLOYEE,)
    is_head: bool = False
    oversees: tuple[str, ...] = field(default=())  # department codes


def _dept(code: str, name: str, *children: DepartmentSpec) -> DepartmentSpec:
    return DepartmentSpec(code=code, name=name, children=children)


def _mine_departments(prefix: str) -> tuple[DepartmentSpec, ...]:
    return (
        _dept(f"{prefix}-LD", "矿领导"),
        _dept(f"{prefix}-BGS", "矿办公室"),
        _dept(f"{prefix}-SCK", "生产技术科"),
        _dept(f"{prefix}-AJK", "安全监察科"),
        _dept(f"{prefix}-JDK", "机电运输科"),
        _dept(f"{prefix}-CWK", "财务科"),
    )


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        "YN",
        "豫能焦煤集团有限责任公司",
        "集团本部",
        Unit.Kind.HEADQUARTERS,
        (
            _dept("YN-LD", "集团领导"),
            _dept(
                "YN-ZHB",
                "综合办公室",
                _dept("YN-ZHB-WM", "文秘科"),
                _dept("YN-ZHB-DC", "督查科"),
                _dept("YN-ZHB-DA", "档案室"),
                _dept("YN-ZHB-CD", "车队"),
            ),
            _dept("YN-DW", "党委工作部"),
            _dept("YN-RL", "人力资源部", _dept("YN-RL-PX", "培训中心")),
            _dept("YN-CW", "财务部"),
            _dept("YN-SC", "生产技术部", _dept("YN-SC-DZ", "地质测量科")),
            _dept("YN-AJ", "安全监察部"),
            _dept("YN-JD", "机电运输部"),
            _dept("YN-QG", "企业管理部"),
            _dept("YN-JW", "纪委办公室"),
        ),
    ),
    UnitSpec("CY", "朝阳煤矿", "朝阳矿", Unit.Kind.MINE, _mine_departments("CY")),
    UnitSpec("JLS", "九里山矿", "九里山矿", Unit.Kind.MINE, _mine_departments("JLS")),
    UnitSpec("GHS", "古汉山矿", "古汉山矿", Unit.Kind.MINE, _mine_departments("GHS")),
    UnitSpec("ZG1", "赵固一矿", "赵固一矿", Unit.Kind.MINE, _mine_departments("ZG1")),
    UnitSpec("YMZ", "演马庄矿", "演马庄矿", Unit.Kind.MINE, _mine_departments("YMZ")),
    UnitSpec(
        "WZ",
        "物资供销分公司",
        "物资公司",
        Unit.Kind.COMPANY,
        (
            _dept("WZ-BGS", "综合办公室"),
            _dept("WZ-CG", "采购部"),
            _dept("WZ-CC", "仓储部"),
        ),
    ),
    UnitSpec(
        "YY",
        "豫能职工总医院",
        "职工医院",
        Unit.Kind.OTHER,
        (_dept("YY-BGS", "院办公室"), _dept("YY-YW", "医务科")),
    ),
)

R = Role
PEOPLE: tuple[PersonSpec, ...] = (
    # The system administrator signs in as `admin`.
    PersonSpec("admin", "系统管理员", "YN-ZHB", "信息化专责", (R.SYSTEM_ADMIN,)),
    # Group leaders: the principal leaders and the deputies who oversee departments.
    PersonSpec("wangjianguo", "王建国", "YN-LD", "董事长", (R.PRINCIPAL_LEADER,)),
    PersonSpec("lizhenhua", "李振华", "YN-LD", "总经理", (R.PRINCIPAL_LEADER,)),
    PersonSpec(
        "liuyang",
        "刘洋",
        "YN-LD",
        "党委副书记",
        (R.OVERSEEING_LEADER,),
        oversees=("YN-ZHB", "YN-DW", "YN-JW"),
    ),
    PersonSpec(
        "zhaohaitao",
        "赵海涛",
        "YN-LD",
        "副总经理",
        (R.OVERSEEING_LEADER,),
        oversees=("YN-SC", "YN-JD"),
    ),
    PersonSpec(
        "sunliping",
        "孙丽萍",
        "YN-LD",
        "副总经理、总会计师",
        (R.OVERSEEING_LEADER,),
        oversees=("YN-CW", "YN-RL", "YN-QG"),
    ),
    PersonSpec(
        "zhougang",
        "周刚",
        "YN-LD",
        "副总经理、安全总监",
        (R.OVERSEEING_LEADER,),
        oversees=("YN-AJ",),
    ),
    # The general office (综合办公室).
    PersonSpec(
        "chenjing",
        "陈静",
        "YN-ZHB",
        "办公室主任",
        (R.OFFICE_DIRECTOR, R.DEPARTMENT_HEAD),
        is_head=True,
    ),
    PersonSpec("wangfang", "王芳", "YN-ZHB-WM", "文书", (R.CLERK,)),
    PersonSpec("liqiang", "李强", "YN-ZHB-WM", "秘书", (R.CLERK,)),
    PersonSpec("qianyu", "钱玉", "YN-ZHB-WM", "机要员", (R.CONFIDENTIAL_CLERK,)),
    PersonSpec("zhaolei", "赵磊", "YN-ZHB-DC", "督查专员", (R.SUPERVISION_OFFICER,)),
    PersonSpec("huangli", "黄丽", "YN-ZHB-DA", "档案管理员", (R.ARCHIVIST,)),
    PersonSpec(
        "majun",
        "马军",
        "YN-ZHB-CD",
        "车队队长",
        (R.FLEET_MANAGER, R.DEPARTMENT_HEAD),
        is_head=True,
    ),
    PersonSpec("zhangwei", "张伟", "YN-ZHB-CD", "驾驶员", (R.DRIVER,)),
    PersonSpec("liuhu", "刘虎", "YN-ZHB-CD", "驾驶员", (R.DRIVER,)),
    # Heads of the headquarters departments.
    PersonSpec("zhengwen", "郑文", "YN-DW", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("hejing", "何静", "YN-RL", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("wumin", "吴敏", "YN-CW", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("fengtao", "冯涛", "YN-SC", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("songjian", "宋健", "YN-AJ", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("hanlei", "韩磊", "YN-JD", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("tangliang", "唐亮", "YN-QG", "部长", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("xuchao", "许超", "YN-JW", "主任", (R.DEPARTMENT_HEAD,), True),
    # Staff of the headquarters departments.
    PersonSpec("luomin", "罗敏", "YN-DW", "宣传干事"),
    PersonSpec("zhudan", "朱丹", "YN-RL-PX", "培训专员"),
    PersonSpec("yangjie", "杨洁", "YN-CW", "会计"),
    PersonSpec("gaofeng", "高峰", "YN-SC-DZ", "地测工程师"),
    PersonSpec("linbo", "林波", "YN-AJ", "安全监察员"),
    PersonSpec("caoyu", "曹宇", "YN-JD", "机电工程师"),
    PersonSpec("dengxin", "邓鑫", "YN-QG", "企管专员"),
    # Mines and companies: the head of each office, its clerk, and one employee.
    PersonSpec(
        "liujianjun", "刘建军", "CY-BGS", "矿办主任", (R.DEPARTMENT_HEAD,), True
    ),
    PersonSpec("zhangli", "张丽", "CY-BGS", "文书", (R.CLERK,)),
    PersonSpec("wanglei", "王磊", "CY-SCK", "技术员"),
    PersonSpec("sunwei", "孙伟", "JLS-BGS", "矿办主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("lijuan", "李娟", "JLS-BGS", "文书", (R.CLERK,)),
    PersonSpec("chengang", "陈刚", "JLS-AJK", "安全员"),
    PersonSpec("yangfan", "杨帆", "GHS-BGS", "矿办主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("zhaomin", "赵敏", "GHS-BGS", "文书", (R.CLERK,)),
    PersonSpec("zhoutao", "周涛", "GHS-JDK", "机电技术员"),
    PersonSpec("wubin", "吴斌", "ZG1-BGS", "矿办主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("zhengli", "郑丽", "ZG1-BGS", "文书", (R.CLERK,)),
    PersonSpec("fengjun", "冯军", "ZG1-CWK", "会计"),
    PersonSpec("xuliang", "徐亮", "YMZ-BGS", "矿办主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("mali", "马丽", "YMZ-BGS", "文书", (R.CLERK,)),
    PersonSpec("hubin", "胡斌", "YMZ-SCK", "采煤技术员"),
    PersonSpec("zhuming", "朱明", "WZ-BGS", "办公室主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("qinfang", "秦芳", "WZ-CG", "采购员"),
    PersonSpec("gaojie", "高洁", "YY-BGS", "院办主任", (R.DEPARTMENT_HEAD,), True),
    PersonSpec("liangchen", "梁晨", "YY-YW", "医务干事"),
)


def employee_number(index: int) -> str:
    """Return the demo employee number of the person at this place in PEOPLE."""
    return f"YN{index + 1:04d}"


def mobile(index: int) -> str:
    """Return a fictional mobile number for the person at this place in PEOPLE."""
    return f"1390373{index + 1:04d}"
