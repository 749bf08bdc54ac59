/** `/static/style.css`, `/static/app.js` (cached briefly) and `/favicon.ico` (none). */
import { APP_JS, STYLE_CSS } from '../assets.js';
import { type Routes, send } from '../http.js';

const FILES: Record<string, { type: string; body: string }> = {
  '/static/style.css': { type: 'text/css; charset=utf-8', body: STYLE_CSS },
  '/static/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
};

export const staticRoutes: Routes = async (_ctx, req, res, url) => {
  const file = FILES[url.pathname];
  if (file) {
    res.setHeader('Cache-Control', 'public, max-age=300');
    send(req, res, 200, file.type, file.body);
    return true;
  }
  if (url.pathname === '/favicon.ico') {
    res.statusCode = 204;
    res.end();
    return true;
  }
  return false;
};
