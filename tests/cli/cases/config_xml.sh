# secret.from_config_xml reads <ApiKey> from an app's own config.xml.
mkdir s
echo '0123456789abcdef0123456789abcdef' >.secrets
cat >s/main.lua <<'LUA'
local secret = require "host.secret"
for _, name in ipairs({ "good.xml", "nokey.xml", "broken.xml", "missing.xml" }) do
  local v, err = secret.from_config_xml(name)
  print(name, v and ("key of length " .. #v .. ": " .. v) or ("error: " .. err))
end
return 0
LUA
cat >good.xml <<'XML'
<Config>
  <BindAddress>*</BindAddress>
  <Port>8989</Port>
  <ApiKey>0123456789abcdef0123456789abcdef</ApiKey>
  <UrlBase></UrlBase>
</Config>
XML
printf '<Config>\n  <Port>8989</Port>\n</Config>\n' >nokey.xml
printf '<Config>\n  <ApiKey>0123456789abcdef0123456789abcdef\n' >broken.xml
sh_run run --scripts s
