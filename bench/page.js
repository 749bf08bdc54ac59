/**
 * Deterministic GitHub-issue-like pages for the benchmark farm and the in-memory extractor bench.
 * Shape taken from a real issue page (test/fixtures/corpus/seed/github-issue-46.html) and GitHub's
 * markup: ~80 <meta> tags, ~20 <link>s, external and inline scripts, nested <div>s with classes and
 * data attributes, inline SVG icons, a highlighted code block, a comment timeline, ~155 links, one or two
 * JSON-LD blocks, ~105 KB. Some pages carry CJK text (multi-byte UTF-8), as the original does.
 */

/** @param {number} seed */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the a of to and in is it that for on with as this was by be are from or at an not which have but can all when if there will one more model data training network results layer function error value code build test issue version release memory parser request worker queue stream page crawl fetch time using would should could after before because into about between performance benchmark latency throughput node server client config option default update install support problem solution example output input change commit branch merge review approve'.split(
    ' ',
  );
const CJK =
  '论文 主要 探讨 的是 为什么 过参数 神经网络 模型 还能 有不错 泛化性 即并不是 简单 记忆 训练集 而是 从 总结出 一个 通用 规律 从而 可以 适配于 测试集 能力 以 经典 决策树 为例 当 学习 数据集 通用 规律 时'.split(
    ' ',
  );
const OWNERS = [
  'aialgorithm',
  'nodejs',
  'octo-org',
  'metacrawl',
  'cheeriojs',
  'fb55',
  'taskforcesh',
  'redis',
];
const REPOS = ['Blog', 'node', 'undici', 'htmlparser2', 'bullmq', 'ioredis', 'cheerio', 'crawler', 'docs'];
const USERS = ['octocat', 'mona', 'hubot', 'defunkt', 'mojombo', 'pjhyett', 'wycats', 'ezmobius', 'ivey'];

// Octicon-like path data: GitHub inlines a few hundred bytes of path per icon, many times per page.
const ICON =
  'M8 0c4.42 0 8 3.58 8 8a8.013 8.013 0 0 1-5.45 7.59c-.4.08-.55-.17-.55-.38 0-.27.01-1.13.01-2.2 0-.75-.25-1.23-.54-1.48 1.78-.2 3.65-.88 3.65-3.95 0-.88-.31-1.59-.82-2.15.08-.2.36-1.02-.08-2.12 0 0-.67-.22-2.2.82-.64-.18-1.32-.27-2-.27-.68 0-1.36.09-2 .27-1.53-1.03-2.2-.82-2.2-.82-.44 1.1-.16 1.92-.08 2.12-.51.56-.82 1.28-.82 2.15 0 3.06 1.86 3.75 3.64 3.95-.23.2-.44.55-.51 1.07-.46.21-1.61.55-2.33-.66-.15-.24-.6-.83-1.23-.82-.67.01-.27.38.01.53.34.19.73.9.82 1.13.16.45.68 1.31 2.69.94 0 .67.01 1.3.01 1.49 0 .21-.15.45-.55.38A7.995 7.995 0 0 1 0 8c0-4.42 3.58-8 8-8Z';

/** @param {string} s */
function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * @param {number} n page number (any integer; the same n always gives the same page)
 * @param {{ targetBytes?: number }} [opts] targetBytes: approximate size (default 100–110 KB by page)
 * @returns {string}
 */
export function renderIssuePage(n, opts = {}) {
  const r = rng(n * 2654435761 + 12345);
  const pick = (/** @type {string[]} */ a) => a[Math.floor(r() * a.length)];
  const int = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + Math.floor(r() * (hi - lo + 1));
  const hex = (/** @type {number} */ len) => {
    let s = '';
    while (s.length < len)
      s += Math.floor(r() * 0xffffffff)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, len);
  };
  const cjk = n % 4 === 0;
  const words = (/** @type {number} */ k) => {
    const out = [];
    for (let i = 0; i < k; i++) out.push(cjk && r() < 0.6 ? pick(CJK) : pick(WORDS));
    return out.join(cjk ? '' : ' ');
  };
  const sentence = (/** @type {number} */ k) => {
    const s = words(k);
    return s.charAt(0).toUpperCase() + s.slice(1) + (cjk ? '。' : '.');
  };
  const target = opts.targetBytes ?? int(92_000, 102_000);
  const owner = pick(OWNERS);
  const repo = pick(REPOS);
  const issue = int(1, 9999);
  const nwo = `${owner}/${repo}`;
  const title = `${sentence(int(4, 9)).slice(0, -1)} · Issue #${issue} · ${nwo} · GitHub`;
  const bodyText = [sentence(int(12, 30)), sentence(int(12, 30)), sentence(int(12, 30))];
  const description = bodyText.join(' ').slice(0, 300);
  const url = `https://github.com/${nwo}/issues/${issue}`;
  const ogImage = `https://opengraph.githubassets.com/${hex(64)}/${nwo}/issues/${issue}`;
  let anchors = 0;
  const a = (/** @type {string} */ href, /** @type {string} */ inner, attrs = '') => {
    anchors++;
    return `<a href="${esc(href)}"${attrs}>${inner}</a>`;
  };
  const icon = (/** @type {string} */ name, size = 16) =>
    `<svg aria-hidden="true" height="${size}" viewBox="0 0 16 16" version="1.1" width="${size}" data-view-component="true" class="octicon octicon-${name}"><path d="${ICON.slice(0, int(100, 500))}"></path></svg>`;

  // ---- head: ~80 meta tags, links, scripts, JSON-LD ----
  const metas = [
    '<meta charset="utf-8">',
    '<meta name="route-pattern" content="/_view_fragments/issues/show/:user_id/:repository/:id/issue_layout(.:format)" data-turbo-transient>',
    '<meta name="route-controller" content="voltron_issues_fragments" data-turbo-transient>',
    '<meta name="route-action" content="issue_layout" data-turbo-transient>',
    `<meta name="fetch-nonce" content="v2:${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}">`,
    `<meta name="current-catalog-service-hash" content="${hex(64)}">`,
    `<meta name="request-id" content="${hex(4).toUpperCase()}:${hex(5).toUpperCase()}:${hex(7).toUpperCase()}" data-pjax-transient="true"/>`,
    `<meta name="html-safe-nonce" content="${hex(64)}" data-pjax-transient="true"/>`,
    `<meta name="visitor-payload" content="${Buffer.from(hex(96)).toString('base64')}" data-pjax-transient="true"/>`,
    `<meta name="visitor-hmac" content="${hex(64)}" data-pjax-transient="true"/>`,
    `<meta name="hovercard-subject-tag" content="issue:${int(1e9, 2e9)}" data-turbo-transient>`,
    '<meta name="github-keyboard-shortcuts" content="repository,issues,copilot" data-turbo-transient="true" />',
    `<meta name="google-site-verification" content="${hex(43)}">`,
    '<meta name="octolytics-url" content="https://collector.github.com/github/collect" />',
    '<meta name="analytics-location" content="/&lt;user-name&gt;/&lt;repo-name&gt;/voltron/issues_fragments/issue_layout" data-turbo-transient="true" />',
    '<meta name="viewport" content="width=device-width">',
    `<meta name="description" content="${esc(description)}">`,
    '<meta property="fb:app_id" content="1401488693436528">',
    `<meta name="apple-itunes-app" content="app-id=1477376905, app-argument=${url}" />`,
    `<meta name="twitter:image" content="${ogImage}" />`,
    '<meta name="twitter:site" content="@github" />',
    '<meta name="twitter:card" content="summary_large_image" />',
    `<meta name="twitter:title" content="${esc(title)}" />`,
    `<meta name="twitter:description" content="${esc(description.slice(0, 200))}" />`,
    `<meta property="og:image" content="${ogImage}" />`,
    `<meta property="og:image:alt" content="${esc(description.slice(0, 120))}" />`,
    '<meta property="og:image:width" content="1200" />',
    '<meta property="og:image:height" content="600" />',
    '<meta property="og:site_name" content="GitHub" />',
    '<meta property="og:type" content="object" />',
    `<meta property="og:title" content="${esc(title)}" />`,
    `<meta property="og:url" content="${url}" />`,
    `<meta property="og:description" content="${esc(description.slice(0, 200))}" />`,
    `<meta property="og:author:username" content="${pick(USERS)}" />`,
    '<meta name="hostname" content="github.com">',
    '<meta name="expected-hostname" content="github.com">',
    `<meta http-equiv="x-pjax-version" content="${hex(64)}" data-turbo-track="reload">`,
    `<meta http-equiv="x-pjax-csp-version" content="${hex(64)}" data-turbo-track="reload">`,
    `<meta http-equiv="x-pjax-css-version" content="${hex(64)}" data-turbo-track="reload">`,
    `<meta http-equiv="x-pjax-js-version" content="${hex(64)}" data-turbo-track="reload">`,
    '<meta name="turbo-cache-control" content="no-preview" data-turbo-transient="">',
    '<meta data-hydrostats="publish">',
    `<meta name="go-import" content="github.com/${nwo} git https://github.com/${nwo}.git">`,
    `<meta name="octolytics-dimension-user_id" content="${int(1e6, 9e7)}" />`,
    `<meta name="octolytics-dimension-user_login" content="${owner}" />`,
    `<meta name="octolytics-dimension-repository_id" content="${int(1e7, 9e8)}" />`,
    `<meta name="octolytics-dimension-repository_nwo" content="${nwo}" />`,
    '<meta name="octolytics-dimension-repository_public" content="true" />',
    '<meta name="octolytics-dimension-repository_is_fork" content="false" />',
    `<meta name="octolytics-dimension-repository_network_root_id" content="${int(1e7, 9e8)}" />`,
    `<meta name="octolytics-dimension-repository_network_root_nwo" content="${nwo}" />`,
    '<meta name="turbo-body-classes" content="logged-out env-production page-responsive">',
    '<meta name="disable-turbo" content="false">',
    '<meta name="browser-stats-url" content="https://api.github.com/_private/browser/stats">',
    '<meta name="browser-errors-url" content="https://api.github.com/_private/browser/errors">',
    `<meta name="release" content="${hex(40)}">`,
    '<meta name="ui-target" content="full">',
    '<meta name="theme-color" content="#1e2327">',
    '<meta name="color-scheme" content="light dark" />',
    '<meta name="msapplication-TileImage" content="/windows-tile.png">',
    '<meta name="msapplication-TileColor" content="#ffffff">',
    '<meta name="selected-link" value="repo_issues" data-turbo-transient>',
    `<meta name="octolytics-app-id" content="github" >`,
    `<meta name="octolytics-event-url" content="https://collector.github.com/github-external/browser_event">`,
    `<meta name="user-login" content="">`,
    `<meta name="enabled-features" content="${words(30).replace(/ /g, '_').toUpperCase()}">`,
    `<meta name="is-dotcom" content="true">`,
    `<meta name="optimizely-datafile" content="{&quot;version&quot;:&quot;4&quot;,&quot;rollouts&quot;:[],&quot;typedAudiences&quot;:[],&quot;anonymizeIP&quot;:true,&quot;projectId&quot;:&quot;${int(1e9, 9e9)}&quot;}">`,
    '<meta name="robots" content="index, follow">',
    `<meta name="keywords" content="${words(8).replace(/ /g, ', ')}">`,
    `<meta itemprop="name" content="${esc(title)}">`,
    `<meta itemprop="description" content="${esc(description.slice(0, 160))}">`,
    `<meta itemprop="image" content="${ogImage}">`,
    '<meta name="format-detection" content="telephone=no">',
    '<meta name="referrer" content="origin-when-cross-origin">',
    '<meta name="apple-mobile-web-app-title" content="GitHub">',
    '<meta name="application-name" content="GitHub">',
  ];
  while (metas.length < 80)
    metas.push(
      `<meta name="octolytics-dimension-${pick(WORDS)}_${metas.length}" content="${hex(int(8, 40))}" />`,
    );

  const linkEls = [
    '<link rel="dns-prefetch" href="https://github.githubassets.com">',
    '<link rel="dns-prefetch" href="https://avatars.githubusercontent.com">',
    '<link rel="dns-prefetch" href="https://github-cloud.s3.amazonaws.com">',
    '<link rel="dns-prefetch" href="https://user-images.githubusercontent.com/">',
    '<link rel="preconnect" href="https://github.githubassets.com" crossorigin>',
    '<link rel="preconnect" href="https://avatars.githubusercontent.com">',
    '<link rel="assets" href="https://github.githubassets.com/">',
    '<link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml" title="GitHub">',
    `<link rel="canonical" href="${url}" data-turbo-transient>`,
    `<link rel="alternate" type="application/atom+xml" title="Recent activity" href="/${nwo}/issues.atom">`,
    '<link rel="mask-icon" href="https://github.githubassets.com/assets/pinned-octocat-093da3e6fa40.svg" color="#000000">',
    '<link rel="alternate icon" class="js-site-favicon" type="image/png" href="https://github.githubassets.com/favicons/favicon.png">',
    '<link rel="icon" class="js-site-favicon" type="image/svg+xml" href="https://github.githubassets.com/favicons/favicon.svg" data-base-href="https://github.githubassets.com/favicons/favicon">',
    '<link rel="manifest" href="/manifest.json" crossOrigin="use-credentials">',
  ];
  for (const css of [
    'light',
    'dark',
    'primer-primitives',
    'primer',
    'global',
    'github',
    'repository',
    'issues',
  ])
    linkEls.push(
      `<link crossorigin="anonymous" media="all" rel="stylesheet" href="https://github.githubassets.com/assets/${css}-${hex(12)}.css" />`,
    );
  const scripts = [];
  for (const js of [
    'wp-runtime',
    'vendors-node_modules_oddbird',
    'vendors-node_modules_github_arianotify',
    'environment',
    'github-elements',
    'element-registry',
    'react-lib',
    'react-core',
    'issues-react',
    'behaviors',
    'notifications-global',
    'sessions',
  ])
    scripts.push(
      `<script crossorigin="anonymous" defer="defer" type="application/javascript" src="https://github.githubassets.com/assets/${js}-${hex(12)}.js"></script>`,
    );
  const payload = {
    locale: 'en',
    featureFlags: words(60).split(/\s+/),
    repository: { id: int(1e7, 9e8), name: repo, owner: { login: owner }, isFork: false },
    issue: { number: issue, title, state: r() < 0.7 ? 'OPEN' : 'CLOSED', body: bodyText.join('\n\n') },
    viewer: null,
    hashes: Array.from({ length: 20 }, () => hex(40)),
  };
  scripts.push(
    `<script type="application/json" id="client-env">${JSON.stringify(payload).replace(/</g, '\\u003c')}</script>`,
  );
  const ld = [
    JSON.stringify({
      '@context': 'https://schema.org',
      '@type': 'DiscussionForumPosting',
      headline: title.split(' · ')[0],
      articleBody: bodyText.join('\r\n\r\n'),
      author: { '@type': 'Person', name: owner, url: `https://github.com/${owner}` },
      datePublished: `20${int(15, 24)}-0${int(1, 9)}-1${int(0, 9)}T0${int(0, 9)}:${int(10, 59)}:${int(10, 59)}.000Z`,
      dateModified: `2025-0${int(1, 9)}-2${int(0, 8)}T1${int(0, 9)}:${int(10, 59)}:${int(10, 59)}.000Z`,
      interactionStatistic: {
        '@type': 'InteractionCounter',
        interactionType: 'https://schema.org/CommentAction',
        userInteractionCount: int(0, 40),
      },
      url,
    }),
  ];
  if (n % 2 === 1)
    ld.push(
      JSON.stringify({
        '@context': 'https://schema.org',
        '@type': 'BreadcrumbList',
        itemListElement: [owner, repo, 'Issues', `#${issue}`].map((name, i) => ({
          '@type': 'ListItem',
          position: i + 1,
          name,
          item: `https://github.com/${[owner, repo, 'issues', String(issue)].slice(0, i + 1).join('/')}`,
        })),
      }),
    );

  const head = [
    '<!DOCTYPE html>',
    '<html lang="en" data-color-mode="auto" data-light-theme="light" data-dark-theme="dark" data-a11y-animated-images="system" data-a11y-link-underlines="true">',
    '<head>',
    metas.slice(0, 16).join('\n'),
    linkEls.slice(0, 8).join('\n'),
    `<title>${esc(title)}</title>`,
    metas.slice(16).join('\n'),
    linkEls.slice(8).join('\n'),
    scripts.join('\n'),
    '</head>',
  ].join('\n');

  // ---- body: global nav, repo header, the issue, its timeline, footer ----
  const nav = [
    a(
      '#start-of-content',
      'Skip to content',
      ' class="px-2 py-4 color-bg-accent-emphasis color-fg-on-emphasis show-on-focus js-skip-to-content"',
    ),
    a(
      'https://github.com/',
      icon('mark-github', 32),
      ' class="mr-lg-3 color-fg-inherit flex-order-2" aria-label="Homepage"',
    ),
    a(
      `/login?return_to=${encodeURIComponent(url)}`,
      'Sign in',
      ' class="HeaderMenu-link HeaderMenu-link--sign-in"',
    ),
  ];
  const navItems = [
    'features/copilot',
    'features/spark',
    'features/models',
    'mcp',
    'features/actions',
    'features/codespaces',
    'features/issues',
    'features/code-review',
    'security/advanced-security',
    'why-github',
    'marketplace',
    'features',
    'enterprise',
    'team',
    'enterprise/startups',
    'solutions/industry/nonprofits',
    'solutions/use-case/devsecops',
    'solutions/use-case/devops',
    'solutions/use-case/ci-cd',
    'solutions/use-case',
    'solutions/industry/healthcare',
    'solutions/industry/financial-services',
    'solutions/industry/manufacturing',
    'solutions/industry/government',
    'solutions/industry',
    'solutions',
    'resources/articles?topic=ai',
    'resources/articles?topic=devops',
    'resources/articles?topic=security',
    'resources/articles',
    'customer-stories',
    'resources/events',
    'resources/whitepapers',
    'solutions/executive-insights',
    'orgs/community/discussions',
    'trust-center',
    'partners',
    'sponsors',
    'accelerator',
    'topics',
    'trending',
    'collections',
    'enterprise',
    'features/copilot/copilot-business',
    'premium-support',
    'pricing',
  ];
  const menu = [];
  for (const item of navItems) {
    const label = item.split(/[/?=]/).pop() ?? item;
    menu.push(
      `<li><div class="HeaderMenu-dropdown-link d-block no-underline position-relative py-2 Link--secondary d-flex flex-items-center Link--has-description pb-lg-3">${r() < 0.2 ? icon(label) : ''}${a(`https://github.com/${item}`, `<div><div class="color-fg-default h4">${esc(label)}</div>${r() < 0.3 ? `<div class="color-fg-muted">${words(int(3, 6))}</div>` : ''}</div>`, ` data-analytics-event="{&quot;location&quot;:&quot;navbar&quot;,&quot;action&quot;:&quot;${esc(label)}&quot;}"`)}</div></li>`,
    );
  }
  for (const ext of [
    'https://docs.github.com',
    'https://github.blog',
    'https://github.blog/changelog',
    'https://skills.github.com',
    'https://support.github.com',
    'https://securitylab.github.com',
    'https://maintainers.github.com',
    'https://archiveprogram.github.com',
  ])
    menu.push(
      `<li>${a(ext, esc(ext.replace('https://', '')), ' class="HeaderMenu-dropdown-link Link--secondary d-block no-underline py-2"')}</li>`,
    );

  const repoHeader = [
    a(`/${owner}`, `${esc(owner)}`, ' class="url fn" rel="author" data-hovercard-type="user"'),
    a(
      `/${nwo}`,
      esc(repo),
      ' data-pjax="#repo-content-pjax-container" data-turbo-frame="repo-content-turbo-frame"',
    ),
    a(
      `/login?return_to=%2F${owner}%2F${repo}`,
      `${icon('bell')} Notifications`,
      ' rel="nofollow" class="btn-sm btn"',
    ),
    a(
      `/login?return_to=%2F${owner}%2F${repo}`,
      `${icon('repo-forked')} Fork <span class="Counter">${int(0, 900)}</span>`,
      ' rel="nofollow" class="btn-sm btn"',
    ),
    a(
      `/login?return_to=%2F${owner}%2F${repo}`,
      `${icon('star')} Star <span class="Counter">${int(0, 9000)}</span>`,
      ' rel="nofollow" class="btn-sm btn"',
    ),
  ];
  for (const tab of [
    '',
    '/issues',
    '/pulls',
    '/actions',
    '/projects',
    '/wiki',
    '/security',
    '/pulse',
    '',
    '/issues',
    '/pulls',
    '/actions',
    '/projects',
    '/security',
    '/pulse',
  ])
    repoHeader.push(
      `<li data-view-component="true" class="d-inline-flex">${a(`/${nwo}${tab}`, `${icon('code')}<span data-content="${tab || 'Code'}">${tab.slice(1) || 'Code'}</span>${tab === '/issues' ? `<span class="Counter">${int(1, 300)}</span>` : ''}`, ` id="${tab.slice(1) || 'code'}-tab" data-tab-item="i${repoHeader.length}" data-selected-links="repo_${tab.slice(1) || 'source'} /${nwo}${tab}" data-pjax="#repo-content-pjax-container" data-turbo-frame="repo-content-turbo-frame" data-hotkey="g ${tab.charAt(1) || 'c'}" class="UnderlineNav-item no-wrap js-responsive-underlinenav-item"`)}</li>`,
    );

  const code = [];
  for (let i = 0; i < int(8, 20); i++)
    code.push(
      `<span class="pl-k">const</span> <span class="pl-s1">${pick(WORDS)}</span> <span class="pl-c1">=</span> <span class="pl-k">await</span> <span class="pl-s1">${pick(WORDS)}</span><span class="pl-kos">.</span><span class="pl-en">${pick(WORDS)}</span><span class="pl-kos">(</span><span class="pl-s">'${pick(WORDS)}'</span><span class="pl-kos">)</span><span class="pl-kos">;</span>`,
    );
  const issueBody = [
    `<h1 class="gh-header-title mb-2 lh-condensed f1 mr-0 flex-auto wb-break-word"><bdi class="js-issue-title markdown-title">${esc(title.split(' · ')[0])}</bdi> <span class="f1-light color-fg-muted">#${issue}</span></h1>`,
    `<div class="d-flex flex-items-center flex-wrap mt-0 gh-header-meta"><span title="Status: Open" data-view-component="true" class="State State--open">${icon('issue-opened')} Open</span>`,
    a(
      `/${owner}`,
      `<img class="avatar avatar-user" src="https://avatars.githubusercontent.com/u/${int(1e6, 9e7)}?s=60&amp;v=4" width="30" height="30" alt="@${owner}">`,
      ' class="d-inline-block" data-hovercard-type="user"',
    ),
    a(
      `/${owner}`,
      esc(owner),
      ' class="author Link--secondary text-bold css-truncate css-truncate-target expandable"',
    ),
    ` opened this issue <relative-time datetime="2022-03-25T13:06:03Z" class="no-wrap">Mar 25, 2022</relative-time></div>`,
    '<div class="edit-comment-hide"><task-lists disabled sortable><table class="d-block user-select-contain" data-paste-markdown-skip><tbody class="d-block"><tr class="d-block"><td class="d-block comment-body markdown-body  js-comment-body">',
    `<p dir="auto">${esc(bodyText[0])} ${a(`/${nwo}`, esc(words(2)), ' rel="nofollow"')}</p>`,
    `<h2 dir="auto">${esc(sentence(4))}</h2>`,
    `<p dir="auto">${esc(bodyText[1])}</p>`,
  ];
  for (let i = 0; i < int(5, 9); i++) {
    const img = `https://camo.githubusercontent.com/${hex(64)}/${hex(int(80, 140))}`;
    issueBody.push(
      `<p dir="auto">${a(img, `<img src="${img}" alt="" style="max-width: 100%;" data-canonical-src="https://upload-images.example/${hex(16)}.png">`, ' target="_blank" rel="noopener noreferrer nofollow"')}</p>`,
      `<p dir="auto">${esc(sentence(int(15, 40)))}</p>`,
    );
  }
  issueBody.push(
    `<div class="highlight highlight-source-js notranslate position-relative overflow-auto" dir="auto"><pre>${code.join('\n')}</pre><div class="zeroclipboard-container"><clipboard-copy aria-label="Copy" class="ClipboardButton btn btn-invisible js-clipboard-copy m-2 p-0 d-flex flex-justify-center flex-items-center" data-copy-feedback="Copied!" data-tooltip-direction="w" value="${esc(code.length + ' lines')}" tabindex="0" role="button">${icon('copy')}${icon('check')}</clipboard-copy></div></div>`,
    `<ul dir="auto">${Array.from({ length: int(3, 7) }, () => `<li>${esc(sentence(int(6, 14)))}</li>`).join('')}</ul>`,
    `<p dir="auto">${esc(bodyText[2])}</p>`,
    '</td></tr></tbody></table></task-lists></div>',
  );

  const footerLinks = [
    'https://docs.github.com/site-policy/github-terms/github-terms-of-service',
    'https://docs.github.com/site-policy/privacy-policies/github-privacy-statement',
    'https://github.com/security',
    'https://www.githubstatus.com/',
    'https://github.community/',
    'https://docs.github.com/',
    'https://support.github.com?tags=dotcom-footer',
    'https://github.com/about',
  ];
  const footer = `<footer class="footer pt-8 pb-6 f6 color-fg-muted p-responsive" role="contentinfo"><h2 class="sr-only">Footer</h2><div class="d-flex flex-items-center flex-shrink-0 mx-2">${a('https://github.com', icon('mark-github', 24), ' aria-label="GitHub Homepage" class="footer-octicon mr-2"')}<span>© 2025 GitHub, Inc.</span></div><nav aria-label="Footer"><ul class="list-style-none d-flex flex-justify-center flex-wrap mb-2 mb-lg-0">${footerLinks.map((l) => `<li class="mx-2">${a(l, esc(l.split('/').filter(Boolean).pop() ?? l), ' class="Link--secondary Link" data-analytics-event="{&quot;category&quot;:&quot;Footer&quot;,&quot;action&quot;:&quot;go to link&quot;}"')}</li>`).join('')}</ul></nav></footer>`;

  const fixed = [
    head,
    '<body class="logged-out env-production page-responsive" style="word-wrap: break-word;">',
    `<div data-turbo-body class="logged-out env-production page-responsive" style="word-wrap: break-word;"><div class="position-relative header-wrapper js-header-wrapper ">`,
    nav.join('\n'),
    `<header class="HeaderMktg header-logged-out js-details-container js-header Details f4 py-3" role="banner" data-is-top="true" data-color-mode=light data-light-theme=light data-dark-theme=dark><div class="container-xl d-flex flex-column flex-lg-row flex-items-center p-responsive height-full position-relative z-1"><nav aria-label="Global" class="mt-0 px-3 px-lg-0 mb-3 mb-lg-0"><ul class="d-lg-flex list-style-none">${menu.join('\n')}</ul></nav></div></header>`,
    `<div class="application-main " data-commit-hovercards-enabled data-discussion-hovercards-enabled data-issue-and-pr-hovercards-enabled data-project-hovercards-enabled><main id="js-repo-pjax-container"><div id="repository-container-header" class="pt-3 hide-full-screen" style="background-color: var(--page-header-bgColor, var(--color-page-header-bg));" data-turbo-replace><div class="d-flex flex-nowrap flex-justify-end mb-3 px-3 px-lg-5" style="gap: 1rem;"><div class="flex-auto min-width-0 width-fit"><div class="d-flex flex-wrap flex-items-center wb-break-word f3 text-normal">${icon('repo')}`,
    repoHeader.join('\n'),
    '</div></div></div></div>',
    `<turbo-frame id="repo-content-turbo-frame" target="_top" data-turbo-action="advance" class=""><div id="repo-content-pjax-container" class="repository-content "><div class="clearfix container-xl px-md-4 px-lg-5 px-3"><div id="show_issue" class="js-issues-results js-socket-channel js-updatable-content" data-url="/${nwo}/issues/${issue}/show_partial?partial=issues%2Ftitle">`,
    issueBody.join('\n'),
  ].join('\n');

  // The timeline fills the page to its size; links are spread so the page has ~155 in all.
  const linkTarget = int(150, 160);
  const tail = `</div></div></div></turbo-frame></main></div>\n${footer}\n</div>\n${ld.map((j) => `<script type="application/ld+json">${j}</script>`).join('\n')}\n</body>\n</html>\n`;
  const timeline = [];
  let size = fixed.length + tail.length;
  let c = 0;
  while (size < target - 600 || anchors < linkTarget) {
    const user = pick(USERS);
    const room = linkTarget - anchors;
    // Up to four links per comment: author, timestamp, avatar, an issue reference.
    const author = room >= 1;
    const stamp = room >= 2;
    const avatar = room >= 3;
    const paragraphs = [];
    // Once the page has its size, the remaining comments are one-liners that only carry links.
    const full = size >= target - 2500;
    for (let p = 0; p < (full ? 1 : int(1, 3)); p++)
      paragraphs.push(`<p dir="auto">${esc(sentence(full ? int(3, 8) : int(20, 60)))}</p>`);
    // Mentions and issue references, as real comments have.
    const refs = [];
    for (let k = 0; k < Math.min(room - 3, int(0, 4)); k++)
      refs.push(
        r() < 0.5
          ? a(
              `/${nwo}/issues/${int(1, 9999)}`,
              `#${int(1, 9999)}`,
              ' class="issue-link js-issue-link" data-hovercard-type="issue"',
            )
          : a(
              `/${pick(USERS)}`,
              `@${pick(USERS)}`,
              ' class="user-mention notranslate" data-hovercard-type="user"',
            ),
      );
    if (refs.length > 0) paragraphs.push(`<p dir="auto">${esc(words(int(2, 6)))} ${refs.join(', ')}</p>`);
    const item = `<div class="js-timeline-item js-timeline-progressive-focus-container" data-gid="IC_${hex(16)}"><div class="TimelineItem js-comment-container" data-gid="IC_${hex(16)}" data-url="/_render_node/IC_${hex(16)}/timeline/issue_comment"><div class="avatar-parent-child TimelineItem-avatar d-none d-md-block">${avatar ? a(`/${user}`, `<img class="avatar rounded-2 avatar-user" src="https://avatars.githubusercontent.com/u/${int(1e6, 9e7)}?s=80&amp;v=4" width="40" height="40" alt="@${user}">`, ' class="d-inline-block" data-hovercard-type="user"') : ''}</div><div class="timeline-comment-group js-minimizable-comment-group js-targetable-element TimelineItem-body my-0" id="issuecomment-${int(1e9, 2e9)}"><div class="ml-n3 timeline-comment unminimized-comment comment previewable-edit js-task-list-container js-comment timeline-comment--caret"><div class="timeline-comment-header clearfix d-flex" data-morpheus-enabled="false"><h3 class="f5 text-normal" style="flex: 1 1 auto">${author ? a(`/${user}`, esc(user), ' class="author Link--primary text-bold css-overflow-wrap-anywhere"') : esc(user)} commented ${stamp ? a(`#issuecomment-${c}`, `<relative-time datetime="2022-0${int(1, 9)}-1${int(0, 9)}T0${int(0, 9)}:1${int(0, 9)}:00Z" class="no-wrap">on Mar ${int(10, 28)}, 2022</relative-time>`, ' class="Link--secondary js-timestamp"') : ''}</h3></div><div class="edit-comment-hide"><table class="d-block user-select-contain"><tbody class="d-block"><tr class="d-block"><td class="d-block comment-body markdown-body js-comment-body">${paragraphs.join('')}</td></tr></tbody></table></div><div class="comment-reactions flex-items-center border-top js-reactions-container"><div class="d-flex"><button type="button" class="social-reaction-summary-item btn-link d-flex no-underline color-fg-muted flex-items-baseline mr-2" disabled><g-emoji class="social-button-emoji" alias="+1">👍</g-emoji><span class="js-discussion-reaction-group-count">${int(1, 30)}</span></button></div></div></div></div></div></div>`;
    timeline.push(item);
    size += item.length + 1;
    c++;
    if (c > 500) break;
  }
  return `${fixed}\n${timeline.join('\n')}${tail}`;
}

/**
 * A small page (~6 KB, ~20 links, ~15 meta tags, one JSON-LD block) for the latency-bound run, where the
 * point is keeping every allowed request in flight, not parsing cost.
 * @param {number} n
 * @returns {string}
 */
export function renderSmallPage(n) {
  const r = rng(n * 40503 + 7);
  const pick = (/** @type {string[]} */ a) => a[Math.floor(r() * a.length)];
  const words = (/** @type {number} */ k) => Array.from({ length: k }, () => pick(WORDS)).join(' ');
  const title = `${words(5)} #${n}`;
  const description = words(25);
  const metas = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="description" content="${description}">`,
    `<meta property="og:title" content="${title}">`,
    `<meta property="og:description" content="${description}">`,
    '<meta property="og:type" content="article">',
    `<meta property="og:image" content="/img/${n}.png">`,
    '<meta property="og:site_name" content="Farm">',
    '<meta name="twitter:card" content="summary">',
    '<meta name="twitter:site" content="@farm">',
    `<meta name="keywords" content="${words(6).replace(/ /g, ', ')}">`,
    '<meta name="robots" content="index, follow">',
    '<meta name="theme-color" content="#ffffff">',
    `<meta name="author" content="${pick(USERS)}">`,
    `<meta property="article:published_time" content="2024-05-0${1 + (n % 9)}T10:00:00Z">`,
  ];
  const links = Array.from(
    { length: 20 },
    (_, i) => `<li><a href="/page/${(n * 31 + i * 17) % 100000}">${words(3)}</a></li>`,
  );
  const ld = JSON.stringify({ '@context': 'https://schema.org', '@type': 'Article', headline: title });
  const body = Array.from({ length: 6 }, () => `<p>${words(60)}.</p>`).join('\n');
  return `<!doctype html>\n<html lang="en">\n<head>\n${metas.join('\n')}\n<title>${title}</title>\n<script type="application/ld+json">${ld}</script>\n</head>\n<body>\n<h1>${title}</h1>\n${body}\n<ul>\n${links.join('\n')}\n</ul>\n</body>\n</html>\n`;
}
