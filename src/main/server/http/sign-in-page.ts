// What browser mode shows instead of the screens when the tab has not signed in: a bookmark, an old
// tab after `paysync serve` restarted, another browser, or the address opened a second time. A
// dashboard of zeros would read as "nothing happened today" (review-newcomer m13); this page says
// what to do, Chinese first. Static: no script, no data, the same security policy as the screens.

export const SIGN_IN_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PaySync Desk</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
    font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
    background: #f5f6f8; color: #1f2329; }
  main { max-width: 560px; margin: 24px; padding: 32px 36px; border-radius: 8px; background: #fff;
    box-shadow: 0 2px 12px rgba(0, 0, 0, 0.08); }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 16px; margin: 28px 0 8px; }
  p { line-height: 1.7; margin: 8px 0; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; padding: 1px 5px; border-radius: 4px;
    background: rgba(127, 127, 127, 0.15); }
  .brand { font-weight: 600; color: #18a058; margin-bottom: 20px; }
  .en { color: #606770; }
  @media (prefers-color-scheme: dark) {
    body { background: #101014; color: #e6e6e6; }
    main { background: #18181c; box-shadow: none; }
    .en { color: #a0a4ab; }
    .brand { color: #63e2b7; }
  }
</style>
</head>
<body>
<main data-test="sign-in">
  <div class="brand">PaySync Desk</div>
  <h1>请打开 <code>paysync serve</code> 打印的地址</h1>
  <p>这个标签页还没有登录，所以不显示任何数据。请回到运行 <code>paysync serve</code> 的终端，打开它打印的地址（以 <code>?code=</code> 结尾）。</p>
  <p>该地址只能使用一次：打开后，本浏览器在这次运行期间保持登录。若地址已经用过、换了浏览器，或 <code>paysync serve</code> 已重新启动，请重新运行 <code>paysync serve</code>，再打开它新打印的地址。</p>
  <div class="en" lang="en">
    <h2>Open the address <code>paysync serve</code> printed</h2>
    <p>This tab has not signed in, so it shows no data. Go back to the terminal running <code>paysync serve</code> and open the address it printed (ending in <code>?code=</code>).</p>
    <p>That address works once: after it, this browser stays signed in for the run. If it was used already, in another browser, or <code>paysync serve</code> has restarted since, run <code>paysync serve</code> again and open the new address it prints.</p>
  </div>
</main>
</body>
</html>
`
