// The family's list is in the family's language: the page's own words are
// translated here; the directory's text (names, addresses, hours in words,
// fees) stays as it was recorded.
export type Lang = 'en' | 'es';

export const familyWords = {
  en: {
    title: 'Services for your family',
    intro: 'Here are the services we talked about. Call or visit them to ask about joining.',
    reach: 'How to reach them',
    where: 'Where',
    hours: 'Hours',
    languages: 'Languages',
    cost: 'Cost',
    free: 'Free',
    costUnknown: 'Ask them about cost',
    hoursUnknown: 'Ask them when they are open',
    whereUnknown: 'Ask them where to go',
    reachUnknown: 'No phone or website is listed',
    languagesUnknown: 'Ask them which languages they offer',
    online: 'Online',
    byPhone: 'By phone',
    ext: 'ext.',
    sample: 'EXAMPLE ONLY: this is not a real service',
    addressOnRequest: 'Address given when you contact them',
    days: { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' } as Record<string, string>,
    footer: 'From the Village directory. Call us back if a number does not work.',
  },
  es: {
    title: 'Servicios para su familia',
    intro: 'Estos son los servicios de los que hablamos. Llame o visítelos para preguntar cómo inscribirse.',
    reach: 'Cómo comunicarse',
    where: 'Dónde',
    hours: 'Horario',
    languages: 'Idiomas',
    cost: 'Costo',
    free: 'Gratis',
    costUnknown: 'Pregunte por el costo',
    hoursUnknown: 'Pregunte por el horario',
    whereUnknown: 'Pregunte a dónde ir',
    reachUnknown: 'No hay teléfono ni sitio web en la lista',
    languagesUnknown: 'Pregunte en qué idiomas atienden',
    online: 'En línea',
    byPhone: 'Por teléfono',
    ext: 'ext.',
    sample: 'SOLO UN EJEMPLO: este no es un servicio real',
    addressOnRequest: 'Le darán la dirección cuando se comunique',
    days: { MO: 'lun', TU: 'mar', WE: 'mié', TH: 'jue', FR: 'vie', SA: 'sáb', SU: 'dom' } as Record<string, string>,
    footer: 'Del directorio Village. Llámenos si un número no funciona.',
  },
};

// A language code (ISO 639-1 or 639-3) as a name in lang; the code itself
// when the browser does not know it.
export function languageName(code: string, lang: string): string {
  try {
    const n = new Intl.DisplayNames([lang], { type: 'language' }).of(code);
    return n && n !== code ? n : code;
  } catch {
    return code;
  }
}
