package clientgen

// The word lists below are invented building blocks: common surnames and
// given names, generic brand words and real place names. Combined at random
// they make plausible but fictitious companies and people.

type word struct{ han, pinyin string }

var surnames = []word{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
	{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
	{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
	{"郭", "guo"}, {"何", "he"}, {"高", "gao"}, {"林", "lin"}, {"罗", "luo"},
	{"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"},
	{"许", "xu"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"},
	{"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"袁", "yuan"}, {"潘", "pan"}, {"蒋", "jiang"}, {"蔡", "cai"}, {"余", "yu"},
	{"杜", "du"}, {"叶", "ye"}, {"程", "cheng"}, {"苏", "su"}, {"魏", "wei"},
	{"吕", "lv"}, {"丁", "ding"}, {"沈", "shen"}, {"姚", "yao"}, {"卢", "lu"},
	{"欧阳", "ouyang"}, {"司马", "sima"},
}

var givenNames = []word{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"},
	{"丽", "li"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"},
	{"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"}, {"涛", "tao"},
	{"明", "ming"}, {"超", "chao"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"},
	{"秀英", "xiuying"}, {"建华", "jianhua"}, {"志强", "zhiqiang"}, {"晓东", "xiaodong"},
	{"海燕", "haiyan"}, {"鹏", "peng"}, {"宇", "yu"}, {"浩", "hao"}, {"欣怡", "xinyi"},
	{"子涵", "zihan"}, {"梓轩", "zixuan"}, {"雨桐", "yutong"}, {"思远", "siyuan"},
	{"俊杰", "junjie"}, {"佳琪", "jiaqi"}, {"嘉怡", "jiayi"}, {"文博", "wenbo"},
	{"晓燕", "xiaoyan"}, {"国华", "guohua"}, {"丽娟", "lijuan"}, {"永刚", "yonggang"},
	{"婷婷", "tingting"}, {"志明", "zhiming"}, {"春梅", "chunmei"}, {"一鸣", "yiming"},
}

// owners are the sales team; invented names.
var owners = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏"}

var brands = []word{
	{"星辰", "xingchen"}, {"恒泰", "hengtai"}, {"华联", "hualian"}, {"瑞丰", "ruifeng"},
	{"鼎盛", "dingsheng"}, {"嘉禾", "jiahe"}, {"远航", "yuanhang"}, {"博远", "boyuan"},
	{"天启", "tianqi"}, {"中科融", "zhongkerong"}, {"宏达", "hongda"}, {"金桥", "jinqiao"},
	{"汇通", "huitong"}, {"明德", "mingde"}, {"新锐", "xinrui"}, {"云帆", "yunfan"},
	{"正和", "zhenghe"}, {"永信", "yongxin"}, {"安泰", "antai"}, {"润泽", "runze"},
	{"盛世", "shengshi"}, {"长青", "changqing"}, {"百川", "baichuan"}, {"东方晨", "dongfangchen"},
	{"海纳", "haina"}, {"凯越", "kaiyue"}, {"启明", "qiming"}, {"鑫源", "xinyuan"},
	{"锦程", "jincheng"}, {"同创", "tongchuang"}, {"智远", "zhiyuan"}, {"华信", "huaxin"},
	{"弘毅", "hongyi"}, {"泰和", "taihe"}, {"光启", "guangqi"}, {"蓝海", "lanhai"},
	{"致远", "zyuan"}, {"德润", "derun"}, {"精诚", "jingcheng"}, {"万象", "wanxiang"},
	{"和信", "hexin"}, {"联创", "lianchuang"}, {"华瑞", "huarui"}, {"昌隆", "changlong"},
	{"聚力", "juli"}, {"青禾", "qinghe"}, {"卓越", "zhuoyue"}, {"辰光", "chenguang"},
}

// industries lists the valid 行业 values and words that fit a company name.
var industries = []struct {
	name  string
	words []word
}{
	{"IT", []word{{"信息技术", "tech"}, {"软件", "soft"}, {"网络科技", "net"}, {"数据科技", "data"}, {"科技", "tech"}}},
	{"金融", []word{{"融资租赁", "leasing"}, {"投资管理", "invest"}, {"财富管理", "wealth"}, {"保险代理", "ins"}}},
	{"制造", []word{{"精密制造", "precision"}, {"机械", "machinery"}, {"新材料", "material"}, {"电子", "elec"}, {"汽车零部件", "auto"}}},
	{"零售", []word{{"商贸", "trade"}, {"零售连锁", "retail"}, {"超市", "mart"}, {"电子商务", "ec"}}},
	{"医疗", []word{{"医疗器械", "medical"}, {"医药", "pharma"}, {"健康管理", "health"}, {"生物科技", "bio"}}},
	{"教育", []word{{"教育科技", "edu"}, {"培训", "training"}, {"文化传播", "culture"}}},
	{"其他", []word{{"物流", "logistics"}, {"建筑工程", "build"}, {"餐饮管理", "food"}, {"环保科技", "eco"}}},
}

// city is a place with its own landline area code, for addresses and phones.
type city struct {
	short    string // as used in company names
	prefix   string // province and city as written in an address
	area     string // landline area code
	digits   int    // local number length
	first    string // usual first digits of local numbers
	region   string // the sales region a subsidiary there is named after
	district []string
}

var cities = []city{
	{"北京", "北京市", "010", 8, "6", "华北", []string{"朝阳区", "海淀区", "东城区", "丰台区"}},
	{"天津", "天津市", "022", 8, "2", "华北", []string{"滨海新区", "和平区", "南开区"}},
	{"上海", "上海市", "021", 8, "5", "华东", []string{"浦东新区", "徐汇区", "静安区", "闵行区"}},
	{"杭州", "浙江省杭州市", "0571", 8, "8", "华东", []string{"西湖区", "滨江区", "余杭区"}},
	{"南京", "江苏省南京市", "025", 8, "8", "华东", []string{"鼓楼区", "建邺区", "江宁区"}},
	{"苏州", "江苏省苏州市", "0512", 8, "6", "华东", []string{"工业园区", "姑苏区", "吴中区"}},
	{"青岛", "山东省青岛市", "0532", 8, "8", "华东", []string{"市南区", "崂山区", "黄岛区"}},
	{"厦门", "福建省厦门市", "0592", 7, "5", "华东", []string{"思明区", "湖里区"}},
	{"深圳", "广东省深圳市", "0755", 8, "8", "华南", []string{"南山区", "福田区", "宝安区", "龙岗区"}},
	{"广州", "广东省广州市", "020", 8, "3", "华南", []string{"天河区", "越秀区", "番禺区"}},
	{"成都", "四川省成都市", "028", 8, "6", "西南", []string{"高新区", "锦江区", "武侯区"}},
	{"重庆", "重庆市", "023", 8, "6", "西南", []string{"渝北区", "江北区", "九龙坡区"}},
	{"武汉", "湖北省武汉市", "027", 8, "8", "华中", []string{"洪山区", "江汉区", "武昌区"}},
	{"西安", "陕西省西安市", "029", 8, "8", "西北", []string{"雁塔区", "碑林区", "未央区"}},
}

var streets = []string{"科技路", "建设路", "人民路", "中山路", "解放路", "长江路", "创新大道", "学院路", "滨河大道", "金融街", "高新大道", "世纪大道"}

var buildings = []string{"", "", "", "国际大厦", "科技园", "中心广场", "创业大厦", "金融中心"}

var stages = []struct {
	name   string
	weight int
	notes  []string
}{
	{"初步洽谈", 20, []string{"", "", "展会上认识，有初步兴趣", "客户希望下周演示", "需要提供同行业案例"}},
	{"需求确认", 18, []string{"", "已完成需求调研", "需求文档待客户确认", "决策人出差，月底再约"}},
	{"方案报价", 17, []string{"", "已发送报价单", "客户认为价格偏高", "预算审批中"}},
	{"商务谈判", 15, []string{"", "等待法务审核合同", "付款方式还在谈", "年底集中采购"}},
	{"签约完成", 20, []string{"", "", "已签约，进入实施阶段", "首期款已到账"}},
	{"流失", 10, []string{"竞品价格更低", "对接人已离职，需重新联系", "项目取消", ""}},
}

var mailHosts = []string{"163.com", "126.com", "qq.com", "sina.com", "foxmail.com"}
