  // Every piece of article text goes through text nodes, never through the HTML parser, so a
  // title holding a script tag is shown as those characters.
  const PAGE_SIZE = __PAGE_SIZE__;
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b',
    '#e377c2'];
  const SVG = 'http://www.w3.org/2000/svg';
  const index = JSON.parse(document.getElementById('report-index').textContent);
  const events = index.events;
  const storyEvent = new Map();  // a story's original -> its event, for explanations' links
  events.forEach((ev, i) => { for (const url of ev.stories) storyEvent.set(url, i); });
  const detailCache = new Map();
  const haystackCache = new Map();
  const state = { q: '', site: '', sort: 'size', multi: false, page: 1, open: new Set() };

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
    }
    for (const child of children || []) {
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function detail(i) {
    // Bodies are parsed only when a cluster is opened or searched, so 5,000 clusters load fast.
    if (!detailCache.has(i)) {
      detailCache.set(i, JSON.parse(document.getElementById('ev-' + i).textContent));
    }
    return detailCache.get(i);
  }
  function shortDate(iso) {
    if (!iso) return 'no date';
    const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(iso);
    return m ? (m[2] ? m[1] + ' ' + m[2] : m[1]) : iso;
  }
  function safeHref(url) {
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function readState() {
    const params = new URLSearchParams(location.search);
    const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
    for (const [key, value] of hash) params.set(key, value);
    const opened = hash.has('open') ? hash.getAll('open') : params.getAll('open');
    state.q = params.get('q') || '';
    state.site = params.get('site') || '';
    state.sort = params.get('sort') === 'date' ? 'date' : 'size';
    state.multi = params.get('multi') === '1';
    state.page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
    state.open = new Set(opened);
    lostState.reason = params.get('reason') || '';
  }
  function writeState() {
    const params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    if (state.site) params.set('site', state.site);
    if (state.sort !== 'size') params.set('sort', state.sort);
    if (state.multi) params.set('multi', '1');
    if (state.page > 1) params.set('page', String(state.page));
    for (const id of state.open) params.append('open', id);
    if (lostState.reason) params.set('reason', lostState.reason);
    const hash = params.toString();
    // The hash, not the query: it changes without a reload and works on file:// pages.
    try {
      const target = location.pathname + location.search + (hash ? '#' + hash : '');
      history.replaceState(null, '', target);
    } catch (error) {
      location.hash = hash;
    }
  }

  function haystack(i) {
    if (!haystackCache.has(i)) {
      const parts = [];
      for (const copy of detail(i).copies) {
        for (const m of copy.members) parts.push(m.title || '', m.body || '', m.site || '',
          m.source || '', m.url);
      }
      haystackCache.set(i, parts.join('\n').toLocaleLowerCase());
    }
    return haystackCache.get(i);
  }
  function matches(i) {
    const ev = events[i];
    if (state.site && !ev.sites.includes(state.site)) return false;
    if (state.multi && ev.size < 2) return false;
    const words = state.q.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return true;
    const cheap = ev.titles.join('\n').toLocaleLowerCase();
    if (words.every((w) => cheap.includes(w))) return true;
    const full = haystack(i);
    return words.every((w) => full.includes(w));
  }
  function selected() {
    const found = [];
    for (let i = 0; i < events.length; i++) if (matches(i)) found.push(i);
    if (state.sort === 'date') {
      found.sort((a, b) => (events[b].first || '').localeCompare(events[a].first || '') || a - b);
    }
    return found;
  }

  function render() {
    const found = selected();
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages);
    const start = (state.page - 1) * PAGE_SIZE;
    const shown = found.slice(start, start + PAGE_SIZE);
    const filtered = state.q || state.site || state.multi;
    document.getElementById('result-count').textContent = found.length
      ? 'Showing ' + (start + 1) + '\u2013' + (start + shown.length) + ' of ' + found.length +
        ' event clusters' + (filtered ? ' matching the filter (of ' + events.length + ')' : '')
      : 'No event cluster matches the filter.';
    const list = document.getElementById('events');
    list.replaceChildren(...shown.map(eventRow));
    for (const id of ['pager-top', 'pager-bottom']) {
      document.getElementById(id).replaceChildren(...pager(pages));
    }
    writeState();
  }
  function pager(pages) {
    if (pages < 2) return [];
    const numbers = new Set([1, pages, state.page - 2, state.page - 1, state.page,
      state.page + 1, state.page + 2]);
    const items = [];
    let last = 0;
    for (const n of [...numbers].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b)) {
      if (n > last + 1) items.push(el('span', {}, ['\u2026']));
      const current = n === state.page ? 'page' : null;
      const button = el('button', { type: 'button', 'aria-current': current }, [String(n)]);
      button.addEventListener('click', () => { state.page = n; render(); window.scrollTo(0, 0); });
      items.push(button);
      last = n;
    }
    return items;
  }
  function eventRow(i) {
    const ev = events[i];
    const isOpen = state.open.has(ev.id);
    const headAttrs = { type: 'button', class: 'event-head', 'aria-expanded': String(isOpen) };
    const head = el('button', headAttrs, [
      el('div', { class: 'size', title: ev.size + ' articles in ' + ev.copies + ' copy clusters' },
        [String(ev.size), el('small', {}, [ev.size === 1 ? 'article' : 'articles'])]),
      el('div', { class: 'title', dir: 'auto' }, breakable(ev.title || '(no title)')),
      el('div', { class: 'dates' }, [shortDate(ev.first) +
        (ev.last && ev.last !== ev.first ? ' \u2192 ' + shortDate(ev.last) : '')]),
      el('div', { class: 'chips' }, [
        el('span', { class: 'chip' },
          [ev.copies + (ev.copies === 1 ? ' copy cluster' : ' copy clusters')]),
        ...ev.sites.map((s) => el('span', { class: 'chip', dir: 'auto' }, [s]))]),
    ]);
    const body = el('div', { class: 'event-body', hidden: isOpen ? null : '' }, []);
    const row = el('section', { class: 'event', 'data-id': ev.id, 'data-index': String(i) },
      [head, body]);
    head.addEventListener('click', () => {
      const opening = !state.open.has(ev.id);
      if (opening) state.open.add(ev.id); else state.open.delete(ev.id);
      head.setAttribute('aria-expanded', String(opening));
      body.hidden = !opening;
      if (opening && !body.firstChild) fillEvent(body, i);
      writeState();
    });
    if (isOpen) fillEvent(body, i);
    return row;
  }

  function fillEvent(body, i) {
    const data = detail(i);
    const cards = [];
    data.copies.forEach((copy, c) => {
      for (const m of copy.members) cards.push(memberCard(m, copy, c, data));
    });
    body.append(
      eventTools(i),
      timeline(data),
      el('p', { class: 'legend' }, ['Cards side by side; the top colour is the copy cluster. ' +
        'Highlighted: passages shared with the copy\u2019s original (for an original: with the ' +
        'event representative; for the representative: with the other stories).']),
      el('div', { class: 'cards' }, cards));
  }
  function memberCard(m, copy, c, data) {
    const color = COLORS[c % COLORS.length];
    const badges = [];
    if (m.lead) badges.push(el('span', { class: 'badge lead' }, ['event representative']));
    if (m.original) badges.push(el('span', { class: 'badge original' }, ['original']));
    else badges.push(el('span', { class: 'badge' }, ['copy']));
    const score = m.original
      ? (m.lead ? '' : 'similarity to event representative: ' + copy.similarity.toFixed(2))
      : 'similarity to original: ' + m.similarity.toFixed(2);
    const href = safeHref(m.url);
    const meta = [el('div', { class: 'meta', dir: 'auto' }, [(m.site || 'unknown site') +
      (m.source && m.source !== m.site ? ' \u00b7 credits ' + m.source : '') + ' \u00b7 ' +
      shortDate(m.published)])];
    const why = explanationBlock(m, data);
    if (score && !why) meta.push(el('div', { class: 'meta' }, [score]));
    const tools = reviewTools(m, copy, data);
    const link = href
      ? el('a', { href: href, rel: 'noopener noreferrer', target: '_blank' }, [m.url])
      : el('span', { class: 'meta' }, [m.url]);
    const shared = m.marks.reduce((n, [s, e]) => n + e - s, 0);
    const card = el('article', {
      class: 'card' + (m.original ? ' original' : ''), style: '--c:' + color,
      'data-url': m.url, 'data-copy': copy.id,
    }, [
      el('header', {}, [el('div', { class: 'badges' }, badges),
        el('h4', { dir: 'auto' }, breakable(m.title || '(no title)')), ...meta, link]),
      ...(why ? [why] : []),
      ...(tools ? [tools] : []),
      el('div', { class: 'text', dir: 'auto' }, highlighted(m.body, m.marks)),
      el('div', { class: 'shared' }, [m.marks.length
        ? m.marks.length + ' shared passage' + (m.marks.length === 1 ? '' : 's') + ', ' +
          Math.round(100 * shared / Math.max(1, m.body.length)) + '% of the text'
        : 'no shared passage']),
    ]);
    return card;
  }
  function breakable(text) {
    // A run of thousands of characters without a space (a broken extraction) takes Chromium
    // seconds to wrap with overflow-wrap alone; <wbr> every 8 characters gives it break
    // points without changing the text that is copied or searched.
    const nodes = [];
    let at = 0;
    for (const run of text.matchAll(/\S{200,}/g)) {
      if (run.index > at) nodes.push(document.createTextNode(text.slice(at, run.index)));
      const chars = Array.from(run[0]);  // code points, so an emoji is never cut in two
      for (let i = 0; i < chars.length; i += 8) {
        if (i) nodes.push(document.createElement('wbr'));
        nodes.push(document.createTextNode(chars.slice(i, i + 8).join('')));
      }
      at = run.index + run[0].length;
    }
    if (at < text.length || !nodes.length) nodes.push(document.createTextNode(text.slice(at)));
    return nodes;
  }
  function highlighted(text, marks) {
    const nodes = [];
    let at = 0;
    for (const [start, end] of marks) {
      if (start > at) nodes.push(...breakable(text.slice(at, start)));
      nodes.push(el('mark', {}, breakable(text.slice(start, end))));
      at = end;
    }
    if (at < text.length) nodes.push(...breakable(text.slice(at)));
    if (!text) nodes.push(el('em', {}, ['(no text)']));
    return nodes;
  }
  function timeline(data) {
    // One row per outlet, a dot per article on a time axis: who published when, and who was
    // first.
    const points = [];
    data.copies.forEach((copy, c) => {
      for (const m of copy.members) {
        const t = Date.parse(m.published || '');
        if (!Number.isNaN(t)) points.push({ t: t, m: m, c: c });
      }
    });
    const width = 900, left = 150, right = 30, row = 18;
    points.sort((a, b) => a.t - b.t);
    const rows = new Map();  // outlet -> its row, outlets in the order they first published
    for (const p of points) {
      const outlet = p.m.site || '?';
      if (!rows.has(outlet)) rows.set(outlet, rows.size);
    }
    const height = 40 + row * Math.max(1, rows.size);
    const box = svg('svg', { class: 'timeline', viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'Timeline of the coverage' });
    if (!points.length) {
      box.append(svg('text', { x: 10, y: 24 }, 'No article in this cluster has a date.'));
      return box;
    }
    const t0 = points[0].t, t1 = points[points.length - 1].t;
    const span = width - left - right;
    const x = (t) => t1 === t0 ? left + span / 2 : left + (t - t0) / (t1 - t0) * span;
    box.append(svg('line', { x1: left, x2: width - right, y1: height - 22, y2: height - 22,
      stroke: '#9aa5b1' }));
    box.append(svg('text', { x: left, y: height - 6 }, shortDate(points[0].m.published)));
    if (t1 !== t0) {
      box.append(svg('text', { x: width - right, y: height - 6, 'text-anchor': 'end' },
        shortDate(points[points.length - 1].m.published)));
    }
    for (const [outlet, k] of rows) {
      box.append(svg('text', { x: left - 8, y: 14 + k * row + 4, 'text-anchor': 'end',
        class: 'outlet' }, outlet.slice(0, 24)));
    }
    points.forEach((p) => {
      const y = 14 + rows.get(p.m.site || '?') * row;
      box.append(svg('line',
        { x1: x(p.t), x2: x(p.t), y1: y, y2: height - 22, stroke: '#e1e6ec' }));
      const dot = svg('circle', { cx: x(p.t), cy: y, r: p.m.original ? 6 : 4.5,
        fill: COLORS[p.c % COLORS.length] });
      dot.append(svg('title', {}, shortDate(p.m.published) + ' ' + (p.m.site || '') + ': ' +
        (p.m.title || '')));
      box.append(dot);
    });
    return box;
  }

  function fillControls() {
    const search = document.getElementById('search');
    const site = document.getElementById('site-filter');
    const sort = document.getElementById('sort');
    const multi = document.getElementById('multi');
    for (const [name, count] of index.sites) {
      site.append(el('option', { value: name }, [name + ' (' + count + ')']));
    }
    // Attributes as well as properties, so the state read from the URL also shows in a saved or
    // dumped copy of the page.
    search.value = state.q;
    search.setAttribute('value', state.q);
    for (const option of [...site.options, ...sort.options]) {
      const wanted = option.parentNode === site ? state.site : state.sort;
      option.defaultSelected = option.value === wanted;
    }
    multi.checked = state.multi;
    multi.defaultChecked = state.multi;
    let timer = 0;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = search.value.trim(); state.page = 1; render(); }, 200);
    });
    site.addEventListener('change', () => { state.site = site.value; state.page = 1; render(); });
    sort.addEventListener('change', () => { state.sort = sort.value; state.page = 1; render(); });
    multi.addEventListener('change', () => {
      state.multi = multi.checked; state.page = 1; render();
    });
    document.getElementById('reset').addEventListener('click', () => {
      state.q = ''; state.site = ''; state.multi = false; state.page = 1; state.open.clear();
      search.value = ''; site.value = ''; multi.checked = false;
      render();
    });
  }
  function openEvent(i) {
    // Shows event `i` opened, on its page, with every filter cleared.
    state.q = ''; state.site = ''; state.multi = false; state.open.add(events[i].id);
    state.page = 1 + Math.floor(selected().indexOf(i) / PAGE_SIZE);
    render();
    document.querySelector('.event[data-index="' + i + '"]').scrollIntoView();
  }
  function fillLargest() {
    const list = document.getElementById('largest');
    for (let i = 0; i < Math.min(5, events.length); i++) {
      const ev = events[i];
      const link = el('a', { href: '#open=' + encodeURIComponent(ev.id) }, [ev.title || ev.id]);
      link.addEventListener('click', (event) => { event.preventDefault(); openEvent(i); });
      list.append(el('li', { dir: 'auto' }, [link, ' \u2014 ' + ev.size + ' articles, ' +
        ev.sites.length + ' outlets']));
    }
  }

  readState();
  fillControls();
  fillLargest();
  fillReview();
  fillLost();
  // Opening a cluster by link (#open=ID) jumps to its page when no page is given.
  if (state.open.size && !/[?#&]page=/.test(location.href)) {
    const found = selected();
    const first = found.findIndex((i) => state.open.has(events[i].id));
    if (first >= 0) state.page = 1 + Math.floor(first / PAGE_SIZE);
  }
  render();
  document.documentElement.setAttribute('data-ready', '1');
