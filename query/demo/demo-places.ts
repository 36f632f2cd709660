import { lines } from './demo-vocabulary';

export interface DemoPlace {
  name: string;
  lat?: number;
  lon?: number;
  /** Language of the people who mostly post from here (a DemoLocale code). */
  locale: string;
  /** The city hashtag posts from here often carry, if any. */
  tag?: string;
}

// name | lat | lon | locale | city tag. Real cities and landmarks; a couple of
// user-made places have no coordinates, as on the real network.
const TABLE = `
  London, United Kingdom|51.5074|-0.1278|en|london
  Tower Bridge|51.5055|-0.0754|en|london
  Hyde Park|51.5073|-0.1657|en|london
  New York, New York|40.7128|-74.006|en|nyc
  Central Park|40.7829|-73.9654|en|nyc
  Brooklyn Bridge|40.7061|-73.9969|en|nyc
  Times Square|40.758|-73.9855|en|nyc
  Golden Gate Bridge|37.8199|-122.4783|en|sanfrancisco
  Bondi Beach|-33.8908|151.2743|en|sydney
  Sydney Opera House|-33.8568|151.2153|en|sydney
  Grandma's kitchen|||en|
  Barcelona, España|41.3874|2.1686|es|barcelona
  Sagrada Família|41.4036|2.1744|es|barcelona
  Playa de la Barceloneta|41.3784|2.1925|es|barcelona
  Madrid, España|40.4168|-3.7038|es|madrid
  Parque del Retiro|40.4153|-3.6845|es|madrid
  Puerta del Sol|40.4169|-3.7035|es|madrid
  Zócalo, Ciudad de México|19.4326|-99.1332|es|cdmx
  Bosque de Chapultepec|19.4204|-99.1819|es|cdmx
  Caminito, La Boca|-34.6393|-58.3628|es|buenosaires
  Paris, France|48.8566|2.3522|fr|paris
  Tour Eiffel|48.8584|2.2945|fr|paris
  Montmartre|48.8867|2.3431|fr|paris
  Musée du Louvre|48.8606|2.3376|fr|paris
  Café de Flore|48.8541|2.3326|fr|paris
  Promenade des Anglais, Nice|43.6951|7.2653|fr|nice
  Vieux Lyon|45.7622|4.827|fr|lyon
  Vieux-Port de Montréal|45.5075|-73.554|fr|montréal
  München, Deutschland|48.1351|11.582|de|münchen
  Marienplatz|48.1374|11.5755|de|münchen
  Englischer Garten|48.1642|11.6056|de|münchen
  Viktualienmarkt|48.1351|11.5762|de|münchen
  Berlin, Deutschland|52.52|13.405|de|berlin
  Brandenburger Tor|52.5163|13.3777|de|berlin
  East Side Gallery|52.505|13.4397|de|berlin
  Speicherstadt, Hamburg|53.5436|9.9885|de|hamburg
  Zürich, Schweiz|47.3769|8.5417|de|zürich
  Lisboa, Portugal|38.7223|-9.1393|pt|lisboa
  Torre de Belém|38.6916|-9.216|pt|lisboa
  Alfama|38.7114|-9.1303|pt|lisboa
  Ribeira, Porto|41.1405|-8.6131|pt|porto
  Praia de Copacabana|-22.9711|-43.1822|pt|riodejaneiro
  Cristo Redentor|-22.9519|-43.2105|pt|riodejaneiro
  Avenida Paulista, São Paulo|-23.5614|-46.6559|pt|sãopaulo
  Casa da vovó|||pt|
  東京|35.6762|139.6503|ja|東京
  渋谷スクランブル交差点|35.6595|139.7005|ja|東京
  浅草寺|35.7148|139.7967|ja|東京
  東京タワー|35.6586|139.7454|ja|東京
  伏見稲荷大社|34.9671|135.7727|ja|京都
  嵐山|35.0094|135.6668|ja|京都
  道頓堀|34.6687|135.5013|ja|大阪
  서울|37.5665|126.978|ko|서울
  경복궁|37.5796|126.977|ko|서울
  남산서울타워|37.5512|126.9882|ko|서울
  홍대|37.5563|126.922|ko|서울
  해운대해수욕장|35.1587|129.1604|ko|부산
  Москва|55.7558|37.6173|ru|москва
  Красная площадь|55.7539|37.6208|ru|москва
  Парк Горького|55.7298|37.601|ru|москва
  Эрмитаж|59.9398|30.3146|ru|питер
  Невский проспект|59.9343|30.3351|ru|питер
  برج خليفة|25.1972|55.2744|ar|دبي
  دبي مارينا|25.0805|55.1403|ar|دبي
  أهرامات الجيزة|29.9792|31.1342|ar|القاهرة
  خان الخليلي|30.0477|31.2623|ar|القاهرة
  ساحة جامع الفنا|31.6258|-7.9891|ar|مراكش
  गेटवे ऑफ़ इंडिया|18.922|72.8347|hi|मुंबई
  मरीन ड्राइव|18.944|72.823|hi|मुंबई
  इंडिया गेट|28.6129|77.2295|hi|दिल्ली
  ताज महल|27.1751|78.0421|hi|ताजमहल
  हवा महल, जयपुर|26.9239|75.8267|hi|
  Nyhavn|55.6798|12.5907|nordic|københavn
  Tivoli|55.6737|12.5681|nordic|københavn
  Gamla stan|59.3251|18.0711|nordic|stockholm
`;

function parsePlace(line: string): DemoPlace {
  const [name, lat, lon, locale, tag] = line.split('|') as [string, string, string, string, string];
  const place: DemoPlace = { name, locale };
  if (lat !== '') {
    place.lat = Number(lat);
    place.lon = Number(lon);
  }
  if (tag !== '') place.tag = tag;
  return place;
}

/**
 * Every demo place, ordered round-robin across languages so that taking the
 * first N still spreads a small network over the world.
 */
export const DEMO_PLACES: readonly DemoPlace[] = (() => {
  const groups = new Map<string, DemoPlace[]>();
  for (const place of lines(TABLE).map(parsePlace)) {
    const group = groups.get(place.locale) ?? [];
    group.push(place);
    groups.set(place.locale, group);
  }
  const out: DemoPlace[] = [];
  const longest = Math.max(...[...groups.values()].map((group) => group.length));
  for (let round = 0; round < longest; round++) {
    for (const group of groups.values()) if (round < group.length) out.push(group[round]!);
  }
  return out;
})();
