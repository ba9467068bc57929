/// The console's stylesheet and script, served from the binary (no CDN: the console works
/// offline). The script only adds confirmations; every action is a plain form post.
enum ConsoleAssets {
    static let css = """
        :root{--fg:#1d2125;--muted:#5f6b76;--line:#d9dee3;--bad:#b3261e;--good:#1b6e3a;--accent:#0b57d0;--bg:#fff}
        *{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:#f6f8fa}
        nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem}nav a{color:var(--fg);text-decoration:none;padding:.2rem 0}
        nav a[aria-current]{font-weight:600;border-bottom:2px solid var(--accent)}
        .badge{background:var(--bad);color:#fff;border-radius:1rem;padding:0 .45rem;font-size:.8rem}
        main{padding:1rem;max-width:72rem;margin:0 auto}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem}h3{font-size:1rem;margin:.8rem 0 .3rem}
        table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-weight:600;font-size:.9rem;color:var(--muted)}tr.failing td{background:#fdecea}
        .bad{color:var(--bad);font-weight:600}.good{color:var(--good)}.muted,small{color:var(--muted)}
        .cards{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0}.cards li{border:1px solid var(--line);border-radius:.5rem;padding:.6rem .9rem;min-width:11rem}
        .cards a{color:var(--fg);text-decoration:none}.cards strong{font-size:1.5rem;display:block}
        form{margin:.3rem 0}label{display:inline-flex;flex-direction:column;gap:.2rem;margin:.2rem .6rem .2rem 0;font-size:.9rem}
        input,select,textarea,button{font:inherit;padding:.35rem .5rem;border:1px solid #b8c0c8;border-radius:.35rem}
        textarea{width:100%;font-family:ui-monospace,monospace}button{background:#f0f3f6;cursor:pointer}
        button.approve{background:var(--good);color:#fff;border-color:var(--good)}button.reject{background:#fff;color:var(--bad);border-color:var(--bad)}
        .held{border:1px solid var(--line);border-radius:.5rem;padding:.4rem 1rem;margin:.8rem 0}.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end}
        .flash{background:#e7f3ec;border:1px solid #b5dbc4;padding:.5rem .8rem;border-radius:.4rem}.error{color:var(--bad)}.warn{background:#fff4e5;padding:.5rem .8rem}
        .timeline{padding-left:1.2rem}.timeline li{margin:.5rem 0}.told{margin:.2rem 0;font-size:.9rem}
        .login{display:flex;flex-direction:column;max-width:20rem}.who{display:flex;gap:.5rem;align-items:center;margin:0}
        svg.chart{width:120px;height:28px}svg.chart polyline{fill:none;stroke:var(--accent);stroke-width:1.5}
        @media (max-width:40rem){main{padding:.6rem}th,td{padding:.3rem}}
        """

    static let javascript = """
        "use strict";
        document.addEventListener("submit", function (event) {
          var button = event.submitter;
          var question = button && button.getAttribute("data-confirm");
          if (question && !window.confirm(question)) { event.preventDefault(); }
        });
        """
}
