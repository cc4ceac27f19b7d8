"""The words and templates of the judged search corpus: what six WeChat groups say, with every
word boundary written down.

A template is a field's text with `|` between two words where nothing else shows the boundary
(`明天|下午`), and `{slot}` for a word drawn from SLOTS. A change between Chinese and Latin
letters or digits, a space, punctuation and emoji are boundaries without a mark. So `长江|大桥`
says that 长江 and 大桥 are words a person searches for on their own, and `张伟明` that 张伟 is
not in it.

Some sentences are there for the traps of substring matching, a query whose characters occur
across a boundary: 和服 in 我|和|服务员, 市长 in 南京|市|长江|大桥, 上海 in 晚上|海边, 家长 in
大家|长按, 学生 in 大学|生活, 上线 in 晚上|线上, 大会 in 大|会议, 明天 in 小明|天天, 文明 in
语文|明天, 会员 in 开会|员工, 日本 in 生日|本来. Each of those words is also said for real.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatGroup:
    """What one kind of group says: how often (its share of the corpus) and its templates."""

    share: float
    texts: tuple[str, ...]
    polls: tuple[tuple[str, tuple[str, ...]], ...]  # question, its options
    links: tuple[tuple[str, str], ...]  # what the sender wrote, the page's title
    files: tuple[tuple[str, str], ...]  # what the sender wrote, the file's name


SLOTS: dict[str, tuple[str, ...]] = {
    "zh_name": (
        "王小明", "李华", "张伟", "张伟明", "欧阳娜娜", "陈静", "刘洋", "王芳",
        "赵磊", "孙丽", "周杰", "黄晓峰", "林一帆", "吴敏", "郑凯",
    ),
    "en_name": (
        "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Zhang Wei", "Kevin", "Lucy",
    ),
    "kid": ("小明", "朵朵", "乐乐", "豆豆", "小雨"),
    "date": ("12月3日", "12月20日", "11月5日", "1月8日", "3月15日", "6月1日", "9月10日", "10月1日"),
    "en_date": ("Dec 3", "Nov 20", "Jan 8", "March 15", "June 1"),
    "weekday": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en_weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "time": ("15:30", "9:00", "10:30", "14:00", "19:30", "8:15", "12:00", "20:00"),
    "amount": ("¥299", "¥1299", "¥88", "¥1888", "299元", "¥50", "¥1200"),
    "room": ("302", "1302", "501", "1201", "A302", "608"),
    "version": ("v2.1", "v2.10", "v2.0", "v3.0", "v2.1.1"),
    "phone": ("13812345678", "13900001111", "15013800138"),
    "page": ("12", "15", "23", "38", "46"),
    "place": (
        "北京|大学", "南京|市|长江|大桥", "上海", "深圳湾|公园", "奥林匹克|森林|公园", "香山",
        "西湖",
    ),
    "emoji": ("😂", "👍", "🙏", "🎉", "💪", "😅"),
}  # fmt: skip

WORK = ChatGroup(
    share=0.22,
    texts=(
        "各位，{date}|下午|{time}|在|{room}|会议|室|开|需求|评审|会",
        "服务器|{date}|晚上|要|部署|新|版本，请|大家|提前|保存|代码",
        "@{zh_name} 周报|记得|周五|前|发|给|我",
        "这个 bug {zh_name}|已经|修复|了，等|测试|验证",
        "新|版本|预计|{date}|上线，测试|同学|辛苦|了",
        "今天|晚上|线上|开会，会议|链接|稍后|发|群|里",
        "周一|开会|员工|都|要|参加，不|能|请假",
        "明天|在|大|会议|室|开|季度|总结|会",
        "年终|大会|定|在|{date}，地点|在|公司|三楼",
        "{zh_name}|下周|去|上海|出差，有|事|找|{zh_name}",
        "发布|流程|改|了，部署|前|要|先|走|审批",
        "请|大家|长按|识别|二维码|填写|满意度|调查",
        "服务器|宕机|了，{zh_name}|正在|排查",
        "打卡|系统|{date}|升级，记得|手动|打卡",
        "别|摸鱼|了，{time}|前|把|周报|交|上来",
        "需求|文档|已经|更新|到 {version}，有|问题|找|产品|经理",
        "{zh_name}|的|需求|排期|到|{date}|了",
        "今天|的|会议|纪要|我|发|邮箱|了，{zh_name}|看|一下",
        "王|部长|说|这个|需求|下周|再|讨论",
        "{zh_name}|请|把|服务器|日志|发|我|一下",
        "打印机|又|卡纸|了，{room}|的|同事|注意",
        "报销|单|{date}|前|交|给|财务，超过|{amount}|要|审批",
        "团建|预算|每人|{amount}，大家|有|什么|想法",
        "大家|别|内卷|了，早点|下班|吧",
        "2024|年|度|总结|{date}|前|交",
        "好|的，我|马上|处理",
        "收到",
    ),
    polls=(
        ("周五|团建|去|哪？", ("爬山", "深圳湾|公园", "密室|逃脱", "看|电影")),
        ("需求|评审|会|改|到|哪天？", ("{weekday}|上午", "{weekday}|下午", "下周|再|说")),
        ("年终|大会|节目|投票", ("合唱", "小品", "魔术", "抽奖")),
    ),
    links=(
        ("周报|模板|在|这里", "Q3|周报|模板 - 腾讯|文档"),
        ("会议|纪要", "{date}|需求|评审|会议|纪要"),
        ("部署|文档|看|这个", "服务器|部署|手册 {version}"),
    ),
    files=(
        ("周报", "Q3周报_v2.pdf"),
        ("需求|文档", "需求|文档_{version}.docx"),
        ("", "部署|手册.pdf"),
        ("会议|纪要", "{date}|会议|纪要.docx"),
    ),
)

PARENTS = ChatGroup(
    share=0.20,
    texts=(
        "各位|家长|好，{date}|下午|{time}|召开|家长|会，请|准时|参加",
        "家长|会|通知：本|周五|{time}|在|{room}|教室，请|带|笔记本",
        "{kid}|今天|的|作业|是|数学|练习|册|第|{page}|页",
        "语文|明天|听写|第三|单元，请|家长|督促",
        "今天|是|{kid}|的|生日|本来|想|请|大家|吃|蛋糕",
        "我家|小明|天天|念叨|春游",
        "放学|接送|请|走|东门，{time}|准时|放学",
        "王|老师，{kid}|今天|发烧|请假|一|天",
        "学生|需|穿|校服，周一|升旗|仪式",
        "{kid}|妈妈|问|一下，谁|能|帮忙|接送|{kid}？",
        "暑假|去|日本|玩|的|家长|可以|交流|一下|攻略",
        "春游|报名|接龙：{kid}|妈妈 +1",
        "请|大家|长按|识别|二维码|加入|班级|群",
        "李|老师|辛苦|了",
        "学校|{date}|开|运动会，{kid}|报名|了|跑步",
        "作业|写|到|{time}|还|没|写|完，现在|孩子|也|太|卷|了",
        "家长|会|改|到|{date}|了，{zh_name}|老师|刚|通知",
        "孩子|们|的|作业|请|在|小程序|里|提交",
        "班费|每人|{amount}，请|在|群|里|接龙",
        "{zh_name}|老师：明天|学生|带|水彩笔",
        "学生|证|照片|{date}|前|交|给|班主任",
    ),
    polls=(
        ("家长|会|时间|投票", ("周五|晚上", "周六|上午", "周日|下午")),
        ("春游|去|哪里？", ("{place}", "动物园", "科技馆", "植物园")),
        ("作业|量|是否|合适？", ("太|多", "合适", "太|少")),
    ),
    links=(
        ("作业|讲解", "三年级|语文|作业|讲解|视频"),
        ("家长|会|课件", "{date}|家长|会|课件"),
        ("接送|安排", "放学|接送|安全|须知"),
    ),
    files=(
        ("通知", "家长|会|通知.docx"),
        ("作业", "寒假|作业|清单.pdf"),
    ),
)

HIKING = ChatGroup(
    share=0.13,
    texts=(
        "周末|爬山，{date}|{time}|在|{place}|集合",
        "周六|晚上|海边|烧烤，AA|每人|{amount}",
        "集合|地点|改|在|北京|大学|生活|区|东门",
        "{zh_name}|说|京都|可以|租|和服|拍照，秋天|去|不|去",
        "上次|聚餐|我|和|服务员|确认|了|包间",
        "骑行|路线：从|{place}|到|南京|市|长江|大桥",
        "健身房|会员|卡|转让，{amount}|有意|私聊",
        "羽毛球|场|订|好|了，{time}|开打",
        "{zh_name}|报名|了，还|差|两|个|人",
        "今天|跑|了|10|公里，配速|还|行",
        "深圳湾|公园|夜跑，{time}|出发",
        "徒步|打卡|第|{page}|天",
        "周末|爬山|的|装备|清单|发|群|里|了",
        "下周|去|上海|参加|马拉松，{zh_name}|一起|吗",
        "{place}|的|路|有点|滑，大家|注意|安全",
        "报名|人数|到|138|了，车|不够|坐",
        "活动|费用|{amount}|已|收|齐，谢谢|大家",
    ),
    polls=(
        ("周末|爬山|还是|骑行？", ("爬山", "骑行", "都|行")),
        ("集合|时间", ("7:30", "8:00", "8:30", "9:00")),
        ("烧烤|地点", ("海边", "{place}", "小区|楼顶")),
    ),
    links=(
        ("路线|攻略", "深圳湾|公园|徒步|路线|攻略"),
        ("报名|链接", "周末|爬山|活动|报名 - 小程序"),
    ),
    files=(("装备|清单", "爬山|装备|清单.xlsx"),),
)

HOUSING = ChatGroup(
    share=0.15,
    texts=(
        "物业|通知：{date}|停水，请|提前|储水",
        "电梯|维修，{room}|的|业主|请|走|楼梯",
        "噪音|问题|可以|打|市长|热线 12345",
        "请|文明|养犬，遛狗|记得|拴|绳",
        "停车位|出租，{amount}|一|个|月，电话 {phone}",
        "物业|费|缴纳|截止|{date}，逾期|有|滞纳金",
        "业主|大会|{date}|在|社区|活动|中心|召开",
        "快递|放|在|{room}|门口|了，记得|拿",
        "{room}|装修|太|吵|了，周末|也|不|停",
        "小区 ＷｉＦｉ 密码|换|了，问|物业",
        "水果|拼单群|今天|{time}|截单，要|的|扣 1",
        "楼下|新开|的|超市|办 ＶＩＰ 卡|打|8|折",
        "请|大家|长按|识别|二维码|进|拼单群",
        "３０２|的|邻居，你|家|漏水|了",
        "{zh_name}：电梯|又|坏|了，物业|什么|时候|修？",
        "停车位|不够，建议|物业|划|临时|车位",
        "{date}|消防|演练，{time}|在|楼下|集合",
        "被|{zh_name}|种草|了|这|款|扫地|机器人",
        "快递|单号 12024，{zh_name}|帮忙|查|一下",
        "垃圾|分类|从|{date}|开始|执行",
    ),
    polls=(
        ("是否|同意|更换|物业|公司？", ("同意", "不|同意", "弃权")),
        ("电梯|广告|收入|怎么|用？", ("交|物业|费", "小区|绿化", "业主|大会|再|定")),
        ("拼单群|下次|买|什么？", ("水果", "大米", "牛奶", "纸巾")),
    ),
    links=(
        ("物业|公告", "关于|物业|费|调整|的|通知"),
        ("停水|通知", "{date}|小区|停水|通知"),
    ),
    files=(
        ("明细", "物业|费|明细_2024.xlsx"),
        ("", "业主|大会|决议.pdf"),
    ),
)

STARTUP = ChatGroup(
    share=0.18,
    texts=(
        "明天 deploy 到 staging，大家|注意",
        "PR 已经 merge 了，{en_name} 帮忙 review 一下",
        "iPhone 15 降价|了，{amount} 就|能|买",
        "{en_name} 的 PR 需要 code review",
        "这个 bug 在 {version} 修复|了",
        "API 文档|更新|了，ＡＰＩ 地址|不变",
        "CI 挂|了，{en_name} 看|一下 log",
        "新|版本 {version} 今晚|发布，release note 在|群|公告",
        "周五 meeting 改|到 {time}",
        "deploy部署|脚本|在 repo 里，别|手动|改|服务器",
        "登录|页面 login 报错|了，{en_name} 在|查",
        "蓝鲸云|的 AI 助手|试用|了|一下，效果|还|可以",
        "区块链|项目|的 demo {date}|给|投资人|看",
        "云原生|改造|进度：服务器|迁移|完成|了",
        "团建|去|深圳湾|公园|骑行",
        "卷|不|动|了，今天|躺平",
        "token 过期|了，重新|登录|一下",
        "staging环境|的|数据库|{time}|重启",
        "staging 环境|又|挂|了，{en_name} 看|一下",
        "ＯＫ，{time}|见",
        "Hotfix {version} 上线|了，{en_name} 盯|一下|监控",
        "{zh_name} 提|的 PR 有|冲突，rebase 一下",
        "test 环境|已经|部署|好|了，可以|开始|测试",
        "latest tag 有|问题，先|回滚|到 {version}",
        "用户|反馈 App 闪退，{en_name} 跟进|一下",
        "ping 一下 {en_name}，他|还|没|回",
        "把|这个 issue pin 到|群|公告",
        "Google 账号|登录|不|了，go 服务|也|挂|了",
        "拼单群|里|的 iPhone 15 已经|到|了",
        "Deploy 失败|了，看|一下 Jenkins",
        "小程序|新|版本|提审|了，{version}",
        "秒杀|活动|{date}|开始，服务器|扛|得|住|吗",
        "订单|号 12024 的|退款|处理|了",
    ),
    polls=(
        ("下次 release 选|哪天？", ("周三", "周四", "周五 after standup")),
        ("Go 还是 Rust？", ("Go", "Rust", "都|行")),
        ("staging 要|不要|每天|重置？", ("要", "不要", "每周|一次")),
    ),
    links=(
        ("PR 链接", "Fix login bug by {en_name} · Pull Request #302"),
        ("API 文档", "ＡＰＩ Reference {version}"),
        ("新闻", "iPhone 15 降价|了，{amount} 起"),
        ("看看|这个", "区块链|与|云原生|的|结合"),
    ),
    files=(
        ("白皮书", "区块链|白皮书_v3.0.pdf"),
        ("报价", "iPhone报价单.xlsx"),
        ("", "release_notes_{version}.md"),
    ),
)

STUDY = ChatGroup(
    share=0.12,
    texts=(
        "Anyone up for the art history review at {time}?",
        "Let's go to the library after class.",
        "Good luck on the test tomorrow!",
        "The latest slides are on Google Drive.",
        "Can someone pin the schedule? The page keeps spinning.",
        "{en_name} is starting a study party in room {room}.",
        "I'll go over the pinyin chapter tonight.",
        "Who wants to join the coding contest?",
        "Smart move, {en_name}.",
        "The art museum is free on {en_weekday}.",
        "Please apply for the library card before {en_date}.",
        "Happy birthday {en_name}!",
        "I have a car, I can take 3 people to the park.",
        "Wait, did anyone email the professor?",
        "The AI lecture starts at {time} in room {room}.",
        "OK, see you at {time}.",
        "Check my blog for the notes, log in with your student ID.",
        "Is the test on {en_date} open book?",
        "Ping me when you are ready to go.",
        "{en_name}: part 2 of the essay is due {en_date}.",
        "Good job everyone, the practice test went well.",
        "Bring the book and a pen, we start at {time}.",
    ),
    polls=(
        ("Which day works for the test review?", ("Monday", "Wednesday", "Friday")),
        ("Where should we meet?", ("library", "cafe", "room {room}")),
        ("Topic for next week", ("art history", "statistics", "pinyin", "essay writing")),
    ),
    links=(
        ("reading list", "Art History 101: The Latest Reading List"),
        ("notes", "Test Prep Notes on Google Docs"),
        ("", "How to Start a Study Group"),
    ),
    files=(
        ("slides", "Final_Test_Review.pdf"),
        ("", "art_history_notes.pdf"),
    ),
)

GROUPS: dict[str, ChatGroup] = {
    "work": WORK,
    "parents": PARENTS,
    "hiking": HIKING,
    "housing": HOUSING,
    "startup": STARTUP,
    "study": STUDY,
}
