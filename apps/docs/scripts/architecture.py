"""Writes site/public/architecture.svg (run from apps/docs/site): a hand-laid diagram of DPMambaIR as built here (docs/model-spec.md, config small)."""
W,H=900,430
o=[]
def box(x,y,w,h,label,sub='',fill='#eef2ff',stroke='#6366f1'):
    o.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}"/>')
    dy = -6 if sub else 4
    o.append(f'<text x="{x+w/2}" y="{y+h/2+dy}" text-anchor="middle" font-size="13" font-weight="600">{label}</text>')
    if sub: o.append(f'<text x="{x+w/2}" y="{y+h/2+12}" text-anchor="middle" font-size="11" fill="#4b5563">{sub}</text>')
def arrow(x1,y1,x2,y2,dash=False,color='#374151'):
    d = ' stroke-dasharray="5 4"' if dash else ''
    o.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" stroke-width="1.6" marker-end="url(#a)"{d}/>')
o.append('<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#374151"/></marker></defs>')
o.insert(0,f'<rect width="{W}" height="{H}" fill="#fff"/>')
o.append('<text x="20" y="28" font-size="16" font-weight="700">DPMambaIR as built here (config small: C = 16)</text>')
o.append('<text x="20" y="50" font-size="11" fill="#6b7280">dashed grey: skip connections (concat; 1x1 reduce at levels 1, 2). Every DP-SSM block is prompted by E_d.</text>')
box(20,70,110,50,'degraded image','3 x H x W',fill='#f3f4f6',stroke='#9ca3af')
box(20,300,170,70,'Degradation extractor','multi-scale CDC convs -> E_d',fill='#fef3c7',stroke='#d97706')
arrow(75,120,75,300)
box(160,70,100,50,'conv 3x3','shallow features',fill='#f3f4f6',stroke='#9ca3af')
arrow(130,95,160,95)
enc=[(290,70),(350,150),(410,230)]
names=['encoder 0','encoder 1','encoder 2']; subs=['DP-SSM x1, C','DP-SSM x1, 2C','DP-SSM x2, 4C']
for i,(x,y) in enumerate(enc): box(x,y,120,50,names[i],subs[i])
arrow(260,95,290,95)
arrow(350,120,390,150); o.append('<text x="318" y="142" font-size="10" fill="#6b7280">down x2</text>')
arrow(420,200,460,230); o.append('<text x="388" y="222" font-size="10" fill="#6b7280">down x2</text>')
box(470,320,130,50,'latent','DP-SSM x2, 8C')
arrow(480,280,520,320); o.append('<text x="445" y="305" font-size="10" fill="#6b7280">down x2</text>')
dec=[(530,230),(590,150),(650,70)]
dn=['decoder 2','decoder 1','decoder 0']; ds=['DP-SSM x2, 4C','DP-SSM x1, 2C','DP-SSM x1, 2C']
for i,(x,y) in enumerate(dec): box(x,y,120,50,dn[i],ds[i])
arrow(560,320,590,280); o.append('<text x="585" y="305" font-size="10" fill="#6b7280">up x2</text>')
arrow(630,230,650,200); o.append('<text x="650" y="222" font-size="10" fill="#6b7280">up x2</text>')
arrow(690,150,710,120); o.append('<text x="712" y="142" font-size="10" fill="#6b7280">up x2</text>')
for (ex,ey),(dx,dy) in zip(enc,reversed(dec)):
    arrow(ex+120,ey+25,dx,dy+25,dash=True,color='#9ca3af')
box(790,70,95,50,'refinement','DP-SSM x1')
arrow(770,95,790,95)
box(790,170,95,50,'conv 3x3','residual')
arrow(837,120,837,170)
box(790,260,95,50,'+ input','restored',fill='#dcfce7',stroke='#16a34a')
arrow(837,220,837,260)
o.append('<path d="M190 345 C 300 400, 400 400, 466 350" fill="none" stroke="#d97706" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#a)"/>')
o.append('<text x="20" y="418" font-size="12" fill="#92400e">E_d prompts every block: delta &lt;- a_delta(E_d) * delta, B &lt;- a_B(E_d) * B, C &lt;- a_C(E_d) * C (one raster-order scan)</text>')
svg=f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" font-family="system-ui, sans-serif">'+'\n'.join(o)+'</svg>\n'
open('public/architecture.svg','w').write(svg)
