// An independent XAdES implementation for Signet's interoperability
// tests: xadesjs (and xmldsigjs under it), never Signet's code.
//
//   node xades.js sign KEY.pk8 SIGNER.pem CA.pem FILE...   → signatures0.xml on stdout
//        a detached XAdES B-B signature over the files (referenced by
//        their names, as ASiC-E wants), with the signer's and the CA's
//        certificates in separate X509Data, the CA's first.
//   node xades.js verify SIGNATURE.xml DIR [SIGNER.pem]     → "valid" or exit 1
//        checks every signature with xadesjs (with xmldsigjs, its XML-DSig
//        engine, when it holds an ArchiveTimeStamp xadesjs cannot load),
//        the files read from DIR.
//   node xades.js ats-input SIGNATURE.xml DIR N              → hex SHA-256
//        of the N-th (0-based) ArchiveTimeStamp's input, computed here per
//        XAdES 1.4.1 section 8.2.1: each SignedInfo reference's data
//        (a node-set canonicalized with the archive timestamp's own
//        CanonicalizationMethod, a transformed one as its transforms
//        give it, a file as its bytes), then SignedInfo, SignatureValue
//        and KeyInfo, the unsigned signature properties before it and
//        the ds:Objects other than QualifyingProperties, canonicalized.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { DOMParser, XMLSerializer } = require('@xmldom/xmldom');
const xadesjs = require('xadesjs');
const xmldsig = require('xmldsigjs');

xadesjs.Application.setEngine('NodeJS', crypto.webcrypto);
globalThis.DOMParser = DOMParser;
globalThis.XMLSerializer = XMLSerializer;

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const ASIC = 'http://uri.etsi.org/02918/v1.2.1#';

function der(pemFile) {
  const text = fs.readFileSync(pemFile, 'utf8');
  return text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

async function sign(keyFile, signerFile, caFile, files) {
  const pk8 = Buffer.from(der(keyFile), 'base64');
  const signer = der(signerFile);
  const isEC = crypto.createPrivateKey({ key: pk8, format: 'der', type: 'pkcs8' }).asymmetricKeyType === 'ec';
  const alg = isEC ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = await crypto.webcrypto.subtle.importKey('pkcs8', pk8, alg, false, ['sign']);
  const contents = {};
  for (const f of files) contents[path.basename(f)] = fs.readFileSync(f);
  const signed = new xadesjs.SignedXml();
  signed.contentHandler = async (ref) => {
    const name = decodeURIComponent(ref.Uri);
    if (!(name in contents)) return null;
    return new Uint8Array(contents[name]);
  };
  const doc = new DOMParser().parseFromString(`<asic:XAdESSignatures xmlns:asic="${ASIC}"/>`, 'application/xml');
  const sig = await signed.Sign(alg, key, doc, {
    id: 'xadesjs-sig',
    references: Object.keys(contents).map((name, i) => ({ id: `r${i}`, uri: encodeURIComponent(name), hash: 'SHA-256' })),
    signingCertificateV2: signer,
    x509: [signer],
  });
  const el = signed.GetXml();
  // KeyInfo is not signed: rewrite it as one X509Data per certificate,
  // the CA's first, as some signers do.
  const keyInfo = el.getElementsByTagNameNS(DS, 'KeyInfo')[0];
  while (keyInfo.firstChild) keyInfo.removeChild(keyInfo.firstChild);
  for (const b64 of [der(caFile), signer]) {
    const data = el.ownerDocument.createElementNS(DS, 'ds:X509Data');
    const c = el.ownerDocument.createElementNS(DS, 'ds:X509Certificate');
    c.appendChild(el.ownerDocument.createTextNode(b64));
    data.appendChild(c);
    keyInfo.appendChild(data);
  }
  doc.documentElement.appendChild(el);
  process.stdout.write(new XMLSerializer().serializeToString(doc));
}

function signatures(file) {
  const doc = new DOMParser().parseFromString(fs.readFileSync(file, 'utf8'), 'application/xml');
  return [doc, Array.from(doc.getElementsByTagNameNS(DS, 'Signature'))];
}

function contentHandlerFor(dir) {
  return async (ref) => {
    const uri = ref.Uri || '';
    if (uri === '' || uri.startsWith('#')) return null;
    return new Uint8Array(fs.readFileSync(path.join(dir, decodeURIComponent(uri))));
  };
}

// signerOnly keeps, of KeyInfo's X509Data, the one holding the signer's
// certificate (PEM file): xmldsigjs imports every KeyInfo certificate's
// key for the signature's algorithm and takes the first, and a signature
// whose KeyInfo lists the CA first names its signer by
// SigningCertificateV2. KeyInfo is not signed: the signature value and
// the references are checked as they are.
function signerOnly(el, certFile) {
  const b64 = der(certFile);
  const keyInfo = el.getElementsByTagNameNS(DS, 'KeyInfo')[0];
  let found = false;
  for (const data of childrenNS(keyInfo, DS, 'X509Data')) {
    const certs = childrenNS(data, DS, 'X509Certificate');
    if (certs.some((c) => c.textContent.replace(/\s+/g, '') === b64)) found = true;
    else keyInfo.removeChild(data);
  }
  if (!found) throw new Error('the signer\'s certificate is not in KeyInfo');
}

async function verify(file, dir, certFile) {
  const [, sigs] = signatures(file);
  if (sigs.length === 0) throw new Error('no signature');
  for (const el of sigs) {
    // xadesjs 2.6 cannot load a XAdES 1.4.1 ArchiveTimeStamp (its schema
    // lacks it): such a signature is checked by xmldsigjs, the XML-DSig
    // engine xadesjs is built on (every reference, the SignedProperties
    // among them, and the signature value).
    const hasArchive = el.getElementsByTagNameNS('http://uri.etsi.org/01903/v1.4.1#', 'ArchiveTimeStamp').length > 0;
    const signed = hasArchive ? new xmldsig.SignedXml(el.ownerDocument) : new xadesjs.SignedXml(el.ownerDocument);
    if (certFile) signerOnly(el, certFile);
    signed.LoadXml(el);
    signed.contentHandler = contentHandlerFor(dir);
    if (!(await signed.Verify())) throw new Error(`signature ${el.getAttribute('Id')} does not verify`);
  }
  console.log('valid');
}

function canonicalize(node, algorithm) {
  let t;
  if (algorithm === 'http://www.w3.org/2001/10/xml-exc-c14n#') t = new xmldsig.XmlDsigExcC14NTransform();
  else if (algorithm === 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments') t = new xmldsig.XmlDsigExcC14NWithCommentsTransform();
  else if (algorithm === 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments') t = new xmldsig.XmlDsigC14NWithCommentsTransform();
  else t = new xmldsig.XmlDsigC14NTransform(); // XML-DSig's default, inclusive C14N 1.0
  t.LoadInnerXml(node);
  return Buffer.from(t.GetOutput(), 'utf8');
}

function byId(doc, id) {
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) if (all[i].getAttribute('Id') === id) return all[i];
  throw new Error(`no element with Id ${id}`);
}

function childrenNS(el, ns, local) {
  return Array.from(el.childNodes).filter((n) => n.nodeType === 1 && n.namespaceURI === ns && n.localName === local);
}

function atsInput(file, dir, n) {
  const [doc, sigs] = signatures(file);
  const sig = sigs[0];
  const atss = Array.from(sig.getElementsByTagNameNS('http://uri.etsi.org/01903/v1.4.1#', 'ArchiveTimeStamp'));
  const ats = atss[n];
  if (!ats) throw new Error(`no ArchiveTimeStamp ${n}`);
  const cm = childrenNS(ats, DS, 'CanonicalizationMethod')[0];
  const atsC14N = cm ? cm.getAttribute('Algorithm') : 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
  const parts = [];
  const signedInfo = childrenNS(sig, DS, 'SignedInfo')[0];
  for (const ref of childrenNS(signedInfo, DS, 'Reference')) {
    const uri = ref.getAttribute('URI');
    if (!uri.startsWith('#')) {
      parts.push(fs.readFileSync(path.join(dir, decodeURIComponent(uri))));
      continue;
    }
    const target = byId(doc, uri.slice(1));
    const transforms = childrenNS(ref, DS, 'Transforms')[0];
    const list = transforms ? childrenNS(transforms, DS, 'Transform') : [];
    if (list.length === 0) parts.push(canonicalize(target, atsC14N)); // a node-set
    else parts.push(canonicalize(target, list[list.length - 1].getAttribute('Algorithm')));
  }
  for (const name of ['SignedInfo', 'SignatureValue', 'KeyInfo']) {
    const el = childrenNS(sig, DS, name)[0];
    if (el) parts.push(canonicalize(el, atsC14N));
  }
  for (const el of Array.from(ats.parentNode.childNodes)) {
    if (el === ats) break;
    if (el.nodeType === 1) parts.push(canonicalize(el, atsC14N));
  }
  for (const obj of childrenNS(sig, DS, 'Object')) {
    if (childrenNS(obj, XADES, 'QualifyingProperties').length === 0) parts.push(canonicalize(obj, atsC14N));
  }
  console.log(crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
}

(async () => {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'sign') await sign(args[0], args[1], args[2], args.slice(3));
  else if (cmd === 'verify') await verify(args[0], args[1], args[2]);
  else if (cmd === 'ats-input') atsInput(args[0], args[1], Number(args[2] || 0));
  else throw new Error('usage: xades.js sign|verify|ats-input …');
})().catch((e) => {
  console.error('xadesjs:', e.message || e);
  process.exit(1);
});
