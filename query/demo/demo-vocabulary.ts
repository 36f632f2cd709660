/**
 * Words for the demo data: caption phrases, hashtags and names per language.
 * Lists are written one item per line (or space-separated) inside template
 * literals so the formatter keeps them compact. Tags are lower-case NFC, the
 * form the indexer keys them by; the most used come first in each list.
 */

export interface DemoName {
  /** As written in the person's script. */
  native: string;
  /** ASCII romanisation, for usernames. */
  latin: string;
  female: boolean;
}

export interface DemoLocale {
  code: string;
  /** Share of users writing in this language. */
  weight: number;
  phrases: readonly string[];
  tags: readonly string[];
  firstNames: readonly DemoName[];
  lastNames: readonly DemoName[];
  /** Family name first (Japanese, Korean), with this separator. */
  familyFirst?: string;
  /** Russian-style surnames that take a feminine ending. */
  femaleSurnameSuffix?: { native: string; latin: string };
}

/** One item per non-empty line, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const words = (text: string): string[] => text.split(/\s+/u).filter((w) => w !== '');

const FOLD_SPECIAL: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', þ: 'th' };

/** ASCII letters and digits of a Latin-script name: "Søren" → "soren", "Weiß" → "weiss". */
export function asciiFold(text: string): string {
  return text
    .toLowerCase()
    .replace(/[ßøæœłđþ]/gu, (c) => FOLD_SPECIAL[c]!)
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');
}

/** `native[:latin[:f]]` tokens; a `*` suffix on a Latin-script name marks it female. */
function names(text: string): DemoName[] {
  return words(text).map((token) => {
    const [native, latin, flag] = token.split(':') as [string, string?, string?];
    const starred = native.endsWith('*');
    const clean = starred ? native.slice(0, -1) : native;
    return { native: clean, latin: latin ?? asciiFold(clean), female: starred || flag === 'f' };
  });
}

/** Hashtags used in every language, most popular first. */
export const GLOBAL_TAGS = words(`
  sunset travel beach food café photography nature summer love friends coffee art instagood
  architecture streetphotography citylife mountains sky sea nofilter weekend photooftheday explore
  wanderlust goldenhour
`);

/** Two halves of long-tail compound tags ("rainy" + "walk" → #rainywalk). */
export const TAIL_HEADS = words(`
  morning evening city sunday rainy lazy late winter spring autumn street window rooftop garden
  market harbor bike night slow little golden quiet misty river island forest urban vintage
  sleepy cozy balcony kitchen train airport
`);
export const TAIL_TAILS = words(`
  walk vibes mood view light diary moments life stories run break escape days thoughts colors
  notes tales hour feels dreams scenes glow getaway ride
`);

/** Emoji some people put after their display name. */
export const NAME_EMOJI = words(`📷 ✈️ 🌿 ☕ 🌸 ⚽ 🎨 🌊 🎧`);

/** Words for usernames such as "marta_travels". */
export const HANDLE_WORDS = words(`photos travels eats daily studio cam lens journal films art`);

export const DEMO_LOCALES: readonly DemoLocale[] = [
  {
    code: 'en',
    weight: 22,
    phrases: lines(`
      Golden hour never disappoints ☀️
      Sunday mornings are for slow coffee and long walks
      Can't believe this view was real
      Finally tried the place everyone keeps talking about
      Weekend mode: on
      Some days the light just does its thing
      Back where it all started
      Little moments like these 💛
      Road trip day three and still no regrets
      Caught the last light before the rain
      Best tacos in town, no debate 🌮
      Missing this already
      Taking the long way home
      Note to self: bring a better camera next time 📷
    `),
    tags: words(`london nyc foodie brunch weekendvibes roadtrip hiking latte dogsofinstagram catsofinstagram
      bookstagram sydney sanfrancisco`),
    firstNames:
      names(`Zoë* Olivia* Emma* Charlotte* Amelia* Grace* Chloe* James Oliver Jack Liam Noah Ethan Lucas
      Henry Mia* Ava* Harper* Leo`),
    lastNames:
      names(`Smith Johnson Williams Brown Taylor Wilson Davies Evans Thomas Walker Clarke Hughes Miller
      O'Brien Murphy`),
  },
  {
    code: 'es',
    weight: 11,
    phrases: lines(`
      Atardeceres así no se olvidan 🌅
      Domingo de paseo con la familia
      El mejor café de la ciudad, sin discusión ☕
      ¡Qué ganas tenía de volver aquí!
      Un día más en el paraíso
      Tapas, amigos y buena música
      Cuando el cielo se pone así, hay que parar
      La vida es mejor con vistas al mar
      Pequeños placeres del fin de semana
      ¿Alguien más echa de menos el verano?
      Caminando sin rumbo por el centro
      Esta luz de la tarde… ✨
    `),
    tags: words(`barcelona madrid playa atardecer viajar comida tapas amigos verano españa méxico cdmx fútbol
      buenosaires`),
    firstNames:
      names(`José Jesús Álvaro Andrés Íñigo Sebastián Mateo Pablo Lucía* María* Sofía* Inés* Valentina*
      Martina* Ximena* Begoña*`),
    lastNames:
      names(`Álvarez García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Muñoz Jiménez
      Ibáñez Núñez Peña Ortiz`),
  },
  {
    code: 'fr',
    weight: 9,
    phrases: lines(`
      Le soleil se couche et la ville s'allume ✨
      Un café en terrasse, rien de mieux ☕
      Petit week-end loin de tout
      Ce croissant mérite une photo 🥐
      Balade au bord de l'eau ce matin
      On ne se lasse jamais de cette vue
      Les meilleurs moments sont les plus simples
      Dimanche à flâner dans les ruelles
      Première baignade de l'été 🌊
      Déjà nostalgique de ces vacances
      Ciel de feu ce soir, incroyable
      Pause gourmande bien méritée
    `),
    tags: words(`paris coucherdesoleil voyage plage croissant boulangerie pâtisserie été amis vin fromage
      montréal lyon nice`),
    firstNames:
      names(`Chloé* Léa* Zoé* Camille* Manon* Éloïse* Hélène* Inès* François Théo Noël Raphaël Jérôme
      Gaël Hugo Loïc`),
    lastNames: names(`Lefèvre Dubois Moreau Laurent Girard Bonnet Fontaine Mercier Lemaître Bérénger Rousseau
      Faure Chevalier Brûlé`),
  },
  {
    code: 'de',
    weight: 9,
    phrases: lines(`
      Sonnenuntergang am See, einfach schön 🌅
      Endlich wieder Biergarten-Wetter 🍺
      Frühstück mit Aussicht
      Kurzer Spaziergang durch die Altstadt
      Grüße aus dem Süden ☀️
      Wochenende, wie es sein soll
      Die beste Brezel der Stadt, ohne Übertreibung 🥨
      Über den Dächern der Stadt
      Wanderung bei strahlendem Wetter ⛰️
      Kaffee und Kuchen am Sonntag
      Manchmal muss man einfach stehen bleiben und schauen
      Schöne Grüße vom Strand
    `),
    tags: words(`münchen berlin sonnenuntergang reisen biergarten frühstück wandern brezel strand grüße fußball
      hamburg zürich kaffee`),
    firstNames: names(`Jürgen Jörg Lukas Maximilian Felix Björn Tobias Moritz Lena* Hannah* Jana* Käthe*
      Sophie* Anneliese* Marie* Frieda*`),
    lastNames: names(`Weiß Müller Schröder Schäfer Köhler Krüger Großmann Bäcker Hofmann Wagner Becker Fuchs
      Schmitt Lößl`),
  },
  {
    code: 'pt',
    weight: 9,
    phrases: lines(`
      Pôr do sol de hoje foi surreal 🌅
      Domingo é dia de praia 🏖️
      Saudade desse lugar
      Café da manhã caprichado ☕
      Um passeio pelo centro histórico
      Não existe vista mais bonita que essa
      Fim de semana com os amigos de sempre
      Pastéis de nata acabados de sair do forno 😍
      Caminhando sem pressa
      Dias assim valem por mil
      A luz da tarde aqui é outra coisa
      Verão, volta logo!
    `),
    tags: words(`lisboa riodejaneiro praia pôrdosol viagem saudade açaí pasteldenata verão brasil porto
      sãopaulo`),
    firstNames:
      names(`João Gonçalo Tomás Caio Vinícius Thiago Rafael André Conceição* Beatriz* Letícia* Mônica*
      Luísa* Ana* Júlia* Gabriela*`),
    lastNames:
      names(`Gonçalves Araújo Simões Magalhães Conceição Gusmão Assunção Brandão Falcão Loureiro Silva
      Santos Oliveira Sousa`),
  },
  {
    code: 'ja',
    weight: 9,
    familyFirst: ' ',
    phrases: lines(`
      今日の夕焼けがきれいすぎた 🌇
      週末はゆっくりカフェ巡り ☕
      久しぶりの散歩日和
      ラーメン最高でした 🍜
      桜が満開でした 🌸
      この景色、一生忘れない
      雨上がりの街が好き
      友達と食べ歩き
      朝の光が気持ちいい
      旅の思い出をもう一枚
      近所の猫に会えた 🐈
      海を見ると落ち着く
    `),
    tags: words(`東京 夕焼け 京都 カフェ ラーメン 桜 旅行 大阪 猫 海 紅葉 富士山 写真好きな人と繋がりたい`),
    firstNames: names(`花子:hanako:f 結衣:yui:f 陽菜:hina:f 美咲:misaki:f さくら:sakura:f 翔:sho 大輝:daiki
      蓮:ren 悠真:yuma 健太:kenta 拓海:takumi 葵:aoi:f`),
    lastNames: names(`佐藤:sato 鈴木:suzuki 高橋:takahashi 田中:tanaka 伊藤:ito 渡辺:watanabe 山本:yamamoto
      中村:nakamura 小林:kobayashi 加藤:kato`),
  },
  {
    code: 'ko',
    weight: 8,
    familyFirst: '',
    phrases: lines(`
      오늘 노을 진짜 예뻤다 🌇
      주말엔 역시 카페 투어 ☕
      오랜만에 산책 나왔어요
      여기 맛집 인정합니다 😋
      한강에서 치맥 🍗
      바다 보러 왔어요 🌊
      평범한 하루, 그래도 좋아
      친구들이랑 즐거운 시간
      여행은 언제나 옳다 ✈️
      비 온 뒤의 거리
      오늘의 커피
      이 풍경 잊지 못할 듯
    `),
    tags: words(`서울 맛집 카페 여행 일상 노을 바다 부산 커피 먹스타그램 한강 데일리`),
    firstNames: names(`민준:minjun 서준:seojun 도윤:doyun 지호:jiho 현우:hyunwoo 서연:seoyeon:f 지우:jiwoo:f
      하은:haeun:f 수아:sua:f 지민:jimin:f 예린:yerin:f`),
    lastNames: names(`김:kim 이:lee 박:park 최:choi 정:jung 강:kang 조:cho 윤:yoon 장:jang 임:lim`),
  },
  {
    code: 'ru',
    weight: 7,
    femaleSurnameSuffix: { native: 'а', latin: 'a' },
    phrases: lines(`
      Невероятный закат сегодня 🌅
      Утро начинается с кофе ☕
      Прогулка по старому центру
      Лето, не уходи!
      Выходные с друзьями
      Такой вид стоит любой дороги
      Немного солнца в холодный день
      Лучшие пельмени в городе, проверено 🥟
      Белые ночи во всей красе
      Гуляем по набережной
      Просто хороший день
      Снова в пути ✈️
    `),
    tags: words(`москва закат питер путешествия кофе море лето друзья природа еда прогулка белыеночи`),
    firstNames: names(`Алёна:alyona:f Анна:anna:f Мария:maria:f Ксения:ksenia:f Ольга:olga:f Дарья:daria:f
      Дмитрий:dmitry Алексей:alexey Сергей:sergey Артём:artyom Иван:ivan Никита:nikita`),
    lastNames: names(`Фёдоров:fedorov Иванов:ivanov Смирнов:smirnov Кузнецов:kuznetsov Попов:popov
      Соколов:sokolov Лебедев:lebedev Волков:volkov Морозов:morozov Новиков:novikov Ершов:ershov`),
  },
  {
    code: 'ar',
    weight: 6,
    phrases: lines(`
      غروب الشمس اليوم كان ساحراً 🌅
      قهوة الصباح مع هذا المنظر ☕
      عطلة نهاية أسبوع جميلة مع الأصدقاء
      أجمل الأوقات في أبسط اللحظات
      نزهة على شاطئ البحر 🌊
      من أجمل الأماكن التي زرتها
      ليلة هادئة في المدينة ✨
      طعام لذيذ وصحبة أحلى
      الصحراء عند الغروب
      يوم جديد ومغامرة جديدة
    `),
    tags: words(`دبي غروب سفر قهوة القاهرة طعام بحر صحراء تصويري مراكش`),
    firstNames: names(`فاطمة:fatima:f مريم:maryam:f نور:nour:f ليلى:layla:f سارة:sara:f ياسمين:yasmine:f
      محمد:mohamed أحمد:ahmed عمر:omar يوسف:youssef خالد:khaled كريم:karim`),
    lastNames: names(`الزهراء:alzahra حداد:haddad خليل:khalil منصور:mansour سعيد:saeed العلي:alali
      الشامي:alshami ناصر:nasser`),
  },
  {
    code: 'hi',
    weight: 6,
    phrases: lines(`
      आज का सूर्यास्त बहुत सुंदर था 🌅
      बारिश और चाय, इससे अच्छा क्या ☕
      दोस्तों के साथ एक शानदार दिन
      सुबह की सैर
      घर का खाना सबसे अच्छा 🍛
      समुद्र किनारे एक शाम
      यादें जो हमेशा साथ रहेंगी
      सफ़र जारी है ✈️
      त्योहार की रौनक ✨
      शहर की रोशनी
    `),
    tags: words(`मुंबई भारत सूर्यास्त यात्रा चाय खाना दिल्ली दोस्त समुद्र बारिश ताजमहल`),
    firstNames: names(`प्रिया:priya:f अनन्या:ananya:f दीपिका:deepika:f पूजा:pooja:f नेहा:neha:f आरव:aarav
      विहान:vihaan अर्जुन:arjun रोहन:rohan कबीर:kabir`),
    lastNames: names(`शर्मा:sharma वर्मा:verma गुप्ता:gupta पटेल:patel सिंह:singh मेहता:mehta जोशी:joshi
      कपूर:kapoor`),
  },
  {
    code: 'nordic',
    weight: 4,
    phrases: lines(`
      Hygge på en regnvejrsdag ☕
      Fika i solen ☀️
      Sommeraften ved vandet
      Søndagstur langs havnen 🚲
      Söndagspromenad i gamla stan
      Kanelbullar och kaffe, perfekt
      Midsommar med vännerna 🌼
      Ingen dårligt vejr, kun dårligt tøj
    `),
    tags: words(`københavn stockholm hygge fika sommar midsommar kanelbulle nyhavn`),
    firstNames: names(`Søren Bjørn Björn Jørgen Åke Mads Nils Åsa* Märta* Ingrid* Sigrún* Freja* Astrid*`),
    lastNames: names(`Kjærgaard Nielsen Jørgensen Ångström Lindqvist Håkansson Østergaard Sjöberg Nyström`),
  },
];

/**
 * The first users of every demo network, with names that show off
 * accent-insensitive typeahead ("jose" finds José Álvarez).
 */
export const SHOWCASE_USERS: readonly { locale: string; username: string; fullName: string }[] = [
  { locale: 'es', username: 'jose.alvarez', fullName: 'José Álvarez' },
  { locale: 'en', username: 'zoe.williams', fullName: 'Zoë Williams' },
  { locale: 'nordic', username: 'soren.kjaergaard', fullName: 'Søren Kjærgaard' },
  { locale: 'fr', username: 'chloe.lefevre', fullName: 'Chloé Lefèvre' },
  { locale: 'de', username: 'juergen.weiss', fullName: 'Jürgen Weiß' },
  { locale: 'pt', username: 'joao.goncalves', fullName: 'João Gonçalves' },
  { locale: 'ja', username: 'hanako.sato', fullName: '佐藤 花子' },
  { locale: 'ko', username: 'minjun.kim', fullName: '김민준' },
  { locale: 'ru', username: 'alyona.fedorova', fullName: 'Алёна Фёдорова' },
  { locale: 'ar', username: 'fatima.alzahra', fullName: 'فاطمة الزهراء' },
  { locale: 'hi', username: 'priya.sharma', fullName: 'प्रिया शर्मा' },
];
